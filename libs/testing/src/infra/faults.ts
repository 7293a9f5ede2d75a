import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, runningPid, sleep } from './processes.js';

/**
 * Fault injection for the chaos suite: `kill -9` of a process recorded in a pid file (its
 * whole process group, as `spawnLogged` starts each one in its own), without the graceful
 * stop `stopPidFile` gives. The pid file stays, naming a dead process, so `startMesh`,
 * `startKafka` and `startFerret` (which start only what does not run) bring it back.
 */
export async function killHard(pidFile: string, timeoutMs = 10_000): Promise<number | undefined> {
  const pid = runningPid(pidFile);
  if (pid === undefined) return undefined;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} (${pidFile}) still alive ${timeoutMs} ms after SIGKILL`);
    await sleep(20);
  }
  return pid;
}

/** Where `startKafka`/`startFerret` keep their pid files, in the `dir` they were given. */
export const kafkaPidFile = (dir: string): string => join(dir, 'kafka.pid');
export const ferretPidFile = (dir: string): string => join(dir, 'ferretdb.pid');
/** Where `startMesh` keeps a mesh process's pid file. */
export const meshPidFile = (stateDir: string, name: string): string => join(stateDir, 'run', `${name}.pid`);

/** Resident set size of a live process in bytes (Linux `/proc/<pid>/status` VmRSS), else undefined. */
export function residentBytes(pid: number): number | undefined {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(file, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
