import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isAlive } from '../infra/processes.js';
import { testInfra } from '../test-infra.js';
import { ensureSecrets, MESH_PROCESSES, randomMeshPorts } from './layout.js';
import { meshLogFile, startMesh, stopMesh, type MeshOptions } from './mesh.js';

const infra = testInfra();

/**
 * Records every pid a mesh writes into its run folder while a start is under way, independently
 * of what startMesh says it started.
 */
function watchPids(stateDir: string): { pids: Map<string, number>; stop(): void } {
  const pids = new Map<string, number>();
  const runDir = join(stateDir, 'run');
  const timer = setInterval(() => {
    if (!existsSync(runDir)) return;
    for (const file of readdirSync(runDir)) {
      const pid = Number.parseInt(readFileSync(join(runDir, file), 'utf8').trim() || '0', 10);
      if (pid > 0) pids.set(file.replace(/\.pid$/, ''), pid);
    }
  }, 20);
  return { pids, stop: () => clearInterval(timer) };
}

async function meshOptions(name: string, env: NodeJS.ProcessEnv = {}): Promise<MeshOptions> {
  const stateDir = join(infra.stateDir, infra.unique(name));
  return { stateDir, ports: await randomMeshPorts(), kafkaBrokers: infra.kafkaBrokers, mongoUrl: infra.mongoUrl, secrets: ensureSecrets(stateDir), databasePrefix: infra.unique(name.replace(/\W/g, '_')), logLevel: 'info', env };
}

/** Waits until none of the pids is alive (the stop may still be reaping them), then says which still are. */
async function stillAlive(pids: number[], withinMs = 2_000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a mesh start that fails part-way stops what it started', () => {
  const seen: number[] = [];

  after(() => {
    // Whatever the outcome, this file leaves nothing running (the test reports what it found).
    for (const pid of seen.filter(isAlive)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  const assertNothingLeft = async (options: MeshOptions, pids: Map<string, number>): Promise<void> => {
    seen.push(...pids.values());
    assert.deepEqual([...pids.keys()].sort(), MESH_PROCESSES.map((process) => process.name).sort(), 'every process of the mesh had been spawned (the start failed part-way, not before it began)');
    const alive = await stillAlive([...pids.values()]);
    assert.deepEqual(alive, [], `no process of the failed mesh is left running (alive: ${alive.map((pid) => [...pids].find(([, candidate]) => candidate === pid)?.[0]).join(', ')})`);
    const runDir = join(options.stateDir, 'run');
    assert.deepEqual(existsSync(runDir) ? readdirSync(runDir) : [], [], 'no pid file is left behind');
    assert.deepEqual(await stopMesh(options.stateDir), [], 'stopping the failed mesh afterwards (a test file\'s after) finds nothing to stop and does not throw');
  };

  test('one process exits on a bad setting: the start rejects naming it, and the six others are stopped', async () => {
    // Only billing reads RECONCILIATION_TOLERANCE: it refuses its config and exits; the others start.
    const options = await meshOptions('mesh-bad-config', { RECONCILIATION_TOLERANCE: 'not-a-number' });
    const watcher = watchPids(options.stateDir);
    try {
      // The default timeout: the start must give up when billing exits (a few seconds), not at
      // the timeout (a loaded machine can take tens of seconds to load seven processes).
      await assert.rejects(startMesh(options), /billing exited/);
    } finally {
      watcher.stop();
    }
    assert.match(readFileSync(meshLogFile(options.stateDir, 'billing'), 'utf8'), /RECONCILIATION_TOLERANCE/, 'billing exited because of its config');
    await assertNothingLeft(options, watcher.pids);
  });

  test('processes that do not report SERVING in time: the start rejects and every process it started is stopped', async () => {
    const options = await meshOptions('mesh-too-slow');
    const watcher = watchPids(options.stateDir);
    try {
      // No process loads tsx, connects to Kafka and FerretDB and serves gRPC in 1.5 s.
      await assert.rejects(startMesh(options, 1_500), /timed out after 1500 ms waiting for/);
    } finally {
      watcher.stop();
    }
    await assertNothingLeft(options, watcher.pids);
  });
});
