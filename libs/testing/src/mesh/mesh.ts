import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkGrpcHealth } from '@voltmesh/grpc';
import { repoRoot } from '../infra/paths.js';
import { isAlive, runningPid, sleep, spawnLogged, stopPidFile, WaitAborted, waitFor, type ManagedProcess } from '../infra/processes.js';
import { MESH_PROCESSES, type MeshPorts, type MeshProcessName, type MeshSecrets } from './layout.js';

export interface MeshOptions {
  stateDir: string;
  ports: Pick<MeshPorts, 'http' | 'admin' | 'grpc' | 'metrics'>;
  kafkaBrokers: string[];
  mongoUrl: string;
  secrets: MeshSecrets;
  /** Prefix of every database name, so several meshes can share one FerretDB. */
  databasePrefix?: string;
  logLevel?: string;
  /** Extra variables for every process (e.g. OTEL_*). */
  env?: NodeJS.ProcessEnv;
}

export interface MeshUrls {
  versionsUrl: string;
  adminUrl: string;
}

const pidFile = (stateDir: string, name: string) => join(stateDir, 'run', `${name}.pid`);
const logFile = (stateDir: string, name: string) => join(stateDir, 'logs', `${name}.log`);

function processEnv(name: MeshProcessName, database: string, options: MeshOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NODE_ENV: process.env['NODE_ENV'] ?? 'development',
    // Exporters stay off unless the caller points OTEL_* at a collector.
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...pickOtel(process.env),
    ...options.env,
    OTEL_SERVICE_NAME: name,
    LOG_LEVEL: options.logLevel ?? 'info',
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    MONGO_URL: options.mongoUrl,
    MONGO_DB: `${options.databasePrefix ?? 'voltmesh'}_${database}`,
    GRPC_PORT: String(options.ports.grpc[name]),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(options.ports.metrics[name]),
    TOKEN_ENCRYPTION_KEY: options.secrets.tokenEncryptionKey,
    // Where each domain service listens, for the processes that call it.
    LOCATIONS_GRPC_ADDRESS: `127.0.0.1:${options.ports.grpc.locations}`,
    TARIFFS_GRPC_ADDRESS: `127.0.0.1:${options.ports.grpc.tariffs}`,
    AUTHORIZATION_GRPC_ADDRESS: `127.0.0.1:${options.ports.grpc.authorization}`,
    SESSIONS_GRPC_ADDRESS: `127.0.0.1:${options.ports.grpc.sessions}`,
    BILLING_GRPC_ADDRESS: `127.0.0.1:${options.ports.grpc.billing}`,
    GATEWAY_GRPC_ADDRESS: `127.0.0.1:${options.ports.grpc['partner-gateway']}`,
    // Our public base URL: the gateway serves it, the sessions service builds response_urls on it.
    PUBLIC_URL: `http://127.0.0.1:${options.ports.http}`,
    // Simulated partners listen on loopback; production refuses private partner URLs.
    ALLOW_PRIVATE_PARTNER_URLS: 'true',
    ...options.env,
  };
  if (name === 'partner-gateway') {
    env['HTTP_PORT'] = String(options.ports.http);
    env['ADMIN_PORT'] = String(options.ports.admin);
    env['ADMIN_TOKEN'] = options.secrets.adminToken;
  }
  return env;
}

function pickOtel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('OTEL_') && key !== 'OTEL_SERVICE_NAME'));
}

/**
 * Starts every mesh process that is not already running (so a second `make up` is harmless)
 * and waits until each reports SERVING on its gRPC health service. When the start fails part-way
 * (a process exits, one does not report SERVING in time), the processes this call started are
 * stopped before the error is rethrown, so a failed start leaves no orphans; processes that were
 * already running are left alone.
 */
export async function startMesh(options: MeshOptions, timeoutMs = 60_000): Promise<MeshUrls> {
  const root = repoRoot();
  const started: ManagedProcess[] = [];
  // Set once the start failed: the other processes' waits end at their next poll instead of
  // polling on (and keeping the caller's event loop alive) until their own timeout.
  let abandoned = false;
  try {
    for (const process of MESH_PROCESSES) {
      if (runningPid(pidFile(options.stateDir, process.name)) !== undefined) continue;
      started.push(
        spawnLogged({
          name: process.name,
          command: globalThis.process.execPath,
          args: ['--import', 'tsx', process.entry],
          cwd: root,
          env: processEnv(process.name, process.database, options),
          logFile: logFile(options.stateDir, process.name),
          pidFile: pidFile(options.stateDir, process.name),
        }),
      );
    }
    await Promise.all(
      MESH_PROCESSES.map((process) =>
        waitFor(
          `${process.name} to report SERVING`,
          async () => {
            if (abandoned) throw new WaitAborted('the mesh start failed');
            if (runningPid(pidFile(options.stateDir, process.name)) === undefined) {
              throw new WaitAborted(`${process.name} exited`);
            }
            return (await checkGrpcHealth(`127.0.0.1:${options.ports.grpc[process.name]}`)) === 'SERVING';
          },
          timeoutMs,
          logFile(options.stateDir, process.name),
        ),
      ),
    );
  } catch (error) {
    abandoned = true;
    await stopStarted(options.stateDir, started);
    throw error;
  }
  return {
    versionsUrl: `http://127.0.0.1:${options.ports.http}/ocpi/versions`,
    adminUrl: `http://127.0.0.1:${options.ports.admin}`,
  };
}

/**
 * Stops the processes one failed start spawned, by the pids it spawned them with: SIGTERM to each
 * one's group, SIGKILL after 15 s. Their pid files go too, unless one names another pid by now
 * (someone else's start wrote it).
 */
async function stopStarted(stateDir: string, started: readonly ManagedProcess[]): Promise<void> {
  await Promise.allSettled(
    started.map(async ({ name, pid }) => {
      const file = pidFile(stateDir, name);
      const recorded = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
      if (recorded === String(pid)) {
        await stopPidFile(file, 15_000);
        return;
      }
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (isAlive(pid) && Date.now() < deadline) await sleep(100);
      if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
    }),
  );
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // no such group (or process): try the process itself, then give up (it is gone)
    }
  }
}

/** SIGTERM every mesh process (graceful stop), SIGKILL what does not stop in time. */
export async function stopMesh(stateDir: string): Promise<string[]> {
  const stopped = await Promise.all(
    MESH_PROCESSES.map(async (process) => ((await stopPidFile(pidFile(stateDir, process.name), 15_000)) ? process.name : undefined)),
  );
  return stopped.filter((name): name is MeshProcessName => name !== undefined);
}

export function meshLogFile(stateDir: string, name: string): string {
  return logFile(stateDir, name);
}
