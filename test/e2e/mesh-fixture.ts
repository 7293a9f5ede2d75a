import { join } from 'node:path';
import { ensureSecrets, randomMeshPorts, startMesh, stopMesh, testInfra, type MeshProcessName } from '@voltmesh/testing';

export interface RunningMesh {
  versionsUrl: string;
  adminUrl: string;
  adminToken: string;
  stateDir: string;
  databasePrefix: string;
  mongoUrl: string;
  kafkaBrokers: string[];
  grpcPorts: Record<MeshProcessName, number>;
  stop(): Promise<void>;
}

/** Starts all seven mesh processes on free ports against the test run's Kafka and FerretDB. */
export async function startTestMesh(name: string, env: NodeJS.ProcessEnv = {}): Promise<RunningMesh> {
  const infra = testInfra();
  const stateDir = join(infra.stateDir, name);
  const databasePrefix = infra.unique(name.replace(/\W/g, '_'));
  const secrets = ensureSecrets(stateDir);
  const ports = await randomMeshPorts();
  const urls = await startMesh({
    stateDir,
    ports,
    kafkaBrokers: infra.kafkaBrokers,
    mongoUrl: infra.mongoUrl,
    secrets,
    databasePrefix,
    logLevel: 'debug',
    env,
  });
  return {
    ...urls,
    adminToken: secrets.adminToken,
    stateDir,
    databasePrefix,
    mongoUrl: infra.mongoUrl,
    kafkaBrokers: infra.kafkaBrokers,
    grpcPorts: ports.grpc,
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
