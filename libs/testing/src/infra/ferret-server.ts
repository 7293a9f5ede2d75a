import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { cachePaths, repoRoot } from './paths.js';
import { runningPid, spawnLogged, stopPidFile, waitFor } from './processes.js';

export interface FerretServerOptions {
  dir: string;
  port: number;
  /** FerretDB's own debug/metrics HTTP listener; distinct per copy so two can run. */
  debugPort: number;
}

export interface FerretServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** FerretDB 1.24 on SQLite: the MongoDB wire protocol for local runs and CI. */
export async function startFerret(options: FerretServerOptions): Promise<FerretServer> {
  const { ferretdb } = cachePaths();
  if (!existsSync(ferretdb)) throw new Error(`FerretDB binary missing at ${ferretdb}: run infra/install.sh (make install)`);
  const dataDir = join(options.dir, 'data');
  const pidFile = join(options.dir, 'ferretdb.pid');
  const logFile = join(options.dir, 'ferretdb.log');
  const url = `mongodb://127.0.0.1:${options.port}/`;
  mkdirSync(dataDir, { recursive: true });

  let pid = runningPid(pidFile);
  if (pid === undefined) {
    pid = spawnLogged({
      name: 'ferretdb',
      command: ferretdb,
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
        '--telemetry=disable',
        `--listen-addr=127.0.0.1:${options.port}`,
        `--debug-addr=127.0.0.1:${options.debugPort}`,
        '--log-level=error',
      ],
      cwd: repoRoot(),
      env: process.env,
      logFile,
      pidFile,
    }).pid;
  }
  await waitFor(`FerretDB on ${url}`, () => pings(url), 30_000, logFile);
  return { url, pid, stop: async () => void (await stopFerret(options.dir)) };
}

async function pings(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    return reply['ok'] === 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Stops a FerretDB started with `startFerret` in `dir`, from any process (`make down`). */
export async function stopFerret(dir: string): Promise<boolean> {
  return stopPidFile(join(dir, 'ferretdb.pid'));
}
