import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, repoRoot } from '@voltmesh/testing';
import { until } from './bench-mesh.js';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/**
 * Drives status PATCHes at a URL prefix with autocannon: `connections` concurrent keep-alive
 * connections for `seconds`, each request a valid patch of one of `evses` EVSEs with a newer
 * last_updated than any before it.
 */
export async function patchLoad(options: { baseUrl: string; pathPrefix: string; evses: string[]; authorization?: string; connections: number; seconds: number }): Promise<LoadResult> {
  let sequence = 0;
  const start = Date.parse('2027-01-01T00:00:00Z');
  const statuses = ['AVAILABLE', 'CHARGING'];
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.seconds,
    headers: { 'content-type': 'application/json', ...(options.authorization ? { authorization: options.authorization } : {}) },
    requests: [
      {
        method: 'PATCH',
        setupRequest: (request) => {
          sequence += 1;
          const evse = options.evses[sequence % options.evses.length]!;
          return {
            ...request,
            path: `${options.pathPrefix}/${evse}`,
            body: JSON.stringify({ status: statuses[sequence % 2], last_updated: new Date(start + sequence).toISOString() }),
          };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

/** The bare fastify reference server, as a child process. */
export async function startBareFastify(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot(), 'bench/support/bare-fastify.ts')], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await until('the bare fastify server', async () => fetch(url).then(() => true, () => false), 20_000);
  return { url, stop: () => void child.kill('SIGTERM') };
}
