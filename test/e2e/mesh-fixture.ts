import { join } from 'node:path';
import { ensureSecrets, randomMeshPorts, startMesh, stopMesh, testInfra, type MeshProcessName, type MeshUrls } from '@voltmesh/testing';

export interface RunningMesh {
  versionsUrl: string;
  adminUrl: string;
  adminToken: string;
  stateDir: string;
  databasePrefix: string;
  mongoUrl: string;
  kafkaBrokers: string[];
  grpcPorts: Record<MeshProcessName, number>;
  /** Each process's Prometheus endpoint port (`http://127.0.0.1:<port>/metrics`). */
  metricsPorts: Record<MeshProcessName, number>;
  stop(): Promise<void>;
}

/**
 * Starts all seven mesh processes on free ports against the test run's Kafka and FerretDB. A
 * start that fails part-way leaves nothing running: startMesh stops what it spawned, and anything
 * else running from this mesh's folder (`<state dir>/<name>`, this test file's) is stopped too,
 * before the error is rethrown. So a test file's `after` has nothing left to clean up when its
 * `before` failed: `await mesh?.stop()` (mesh is unassigned then) is enough, and `stop()` or
 * stopMesh on the folder may be called any number of times.
 */
export async function startTestMesh(name: string, env: NodeJS.ProcessEnv = {}): Promise<RunningMesh> {
  const infra = testInfra();
  const stateDir = join(infra.stateDir, name);
  const databasePrefix = infra.unique(name.replace(/\W/g, '_'));
  const secrets = ensureSecrets(stateDir);
  const ports = await randomMeshPorts();
  let urls: MeshUrls;
  try {
    urls = await startMesh({
      stateDir,
      ports,
      kafkaBrokers: infra.kafkaBrokers,
      mongoUrl: infra.mongoUrl,
      secrets,
      databasePrefix,
      logLevel: 'debug',
      env,
    });
  } catch (error) {
    await stopMesh(stateDir).catch(() => undefined);
    throw error;
  }
  return {
    ...urls,
    adminToken: secrets.adminToken,
    stateDir,
    databasePrefix,
    mongoUrl: infra.mongoUrl,
    kafkaBrokers: infra.kafkaBrokers,
    grpcPorts: ports.grpc,
    metricsPorts: ports.metrics,
    stop: async () => void (await stopMesh(stateDir)),
  };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function http(method: string, url: string, options: { authorization?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization) headers['authorization'] = options.authorization;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // leave as text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export const ocpiToken = (token: string): string => `Token ${Buffer.from(token, 'utf8').toString('base64')}`;

/** The OCPI response envelope, as the tests read it. */
export interface Envelope<T = unknown> {
  data?: T;
  status_code: number;
  status_message?: string;
}

/**
 * Polls until `read` returns something `ok` accepts (writes travel through Kafka), or fails
 * naming what it waited for and the last value. Every assert.ok in these tests carries a
 * message: without one, node builds it by re-parsing the (transpiled, one-line) test file,
 * which takes minutes.
 */
export async function eventually<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000, pollMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Registers a simulated partner with the mesh through an admin invitation (its token A). The
 * invitation body may say more, e.g. `{ role_211: 'CPO', time_zone_211: 'Europe/Brussels' }`
 * for a partner on OCPI 2.1.1, whose credentials name no role.
 */
export async function connectPartner(
  mesh: Pick<RunningMesh, 'adminUrl' | 'adminToken'>,
  partner: { registerWith(versionsUrl: string, tokenA: string): Promise<{ body: unknown }> },
  invitationBody: Record<string, unknown> = {},
): Promise<void> {
  const invitation = (await http('POST', `${mesh.adminUrl}/admin/invitations`, { authorization: `Bearer ${mesh.adminToken}`, body: { label: 'partner', ...invitationBody } })).body as { token_a: string; versions_url: string };
  const registered = await partner.registerWith(invitation.versions_url, invitation.token_a);
  const status = (registered.body as Envelope).status_code;
  if (status !== 1000) throw new Error(`registration failed: ${JSON.stringify(registered.body)}`);
}
