import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePorts } from '../infra/ports.js';

/** The seven processes of the mesh, each a Node entry file run with tsx. */
export const MESH_PROCESSES = [
  { name: 'partner-gateway', entry: 'services/partner-gateway/src/main.ts', database: 'gateway' },
  { name: 'dispatcher', entry: 'services/partner-gateway/src/dispatcher-main.ts', database: 'gateway' },
  { name: 'locations', entry: 'services/locations/src/main.ts', database: 'locations' },
  { name: 'authorization', entry: 'services/authorization/src/main.ts', database: 'authorization' },
  { name: 'sessions', entry: 'services/sessions/src/main.ts', database: 'sessions' },
  { name: 'tariffs', entry: 'services/tariffs/src/main.ts', database: 'tariffs' },
  { name: 'billing', entry: 'services/billing/src/main.ts', database: 'billing' },
] as const;

export type MeshProcessName = (typeof MESH_PROCESSES)[number]['name'];

export interface MeshPorts {
  kafka: number;
  kafkaController: number;
  mongo: number;
  mongoDebug: number;
  http: number;
  admin: number;
  grpc: Record<MeshProcessName, number>;
  /** Each process's Prometheus endpoint (`/metrics`). */
  metrics: Record<MeshProcessName, number>;
}

/** `make up` ports; every one can be overridden with the matching VOLTMESH_* variable. */
export function defaultPorts(env: NodeJS.ProcessEnv = process.env): MeshPorts {
  const pick = (name: string, fallback: number): number => {
    const value = Number.parseInt(env[name] ?? '', 10);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    kafka: pick('VOLTMESH_KAFKA_PORT', 9092),
    kafkaController: pick('VOLTMESH_KAFKA_CONTROLLER_PORT', 9093),
    mongo: pick('VOLTMESH_MONGO_PORT', 27027),
    mongoDebug: pick('VOLTMESH_MONGO_DEBUG_PORT', 27028),
    http: pick('VOLTMESH_HTTP_PORT', 8080),
    admin: pick('VOLTMESH_ADMIN_PORT', 8081),
    grpc: {
      'partner-gateway': pick('VOLTMESH_GATEWAY_GRPC_PORT', 50050),
      dispatcher: pick('VOLTMESH_DISPATCHER_GRPC_PORT', 50059),
      locations: pick('VOLTMESH_LOCATIONS_GRPC_PORT', 50051),
      authorization: pick('VOLTMESH_AUTHORIZATION_GRPC_PORT', 50052),
      sessions: pick('VOLTMESH_SESSIONS_GRPC_PORT', 50053),
      tariffs: pick('VOLTMESH_TARIFFS_GRPC_PORT', 50054),
      billing: pick('VOLTMESH_BILLING_GRPC_PORT', 50055),
    },
    // 9461… in MESH_PROCESSES order; VOLTMESH_METRICS_PORT_BASE moves the whole block.
    metrics: Object.fromEntries(
      MESH_PROCESSES.map((process, index) => [process.name, pick('VOLTMESH_METRICS_PORT_BASE', 9460) + 1 + index]),
    ) as Record<MeshProcessName, number>,
  };
}

/** Free ports for a test run, so it never collides with `make up` or another run. */
export async function randomMeshPorts(): Promise<Omit<MeshPorts, 'kafka' | 'kafkaController' | 'mongo' | 'mongoDebug'>> {
  const free = await freePorts(2 + MESH_PROCESSES.length * 2);
  const take = () => free.pop()!;
  const grpc = {} as Record<MeshProcessName, number>;
  const metrics = {} as Record<MeshProcessName, number>;
  for (const process of MESH_PROCESSES) {
    grpc[process.name] = take();
    metrics[process.name] = take();
  }
  return { http: take(), admin: take(), grpc, metrics };
}

export interface MeshSecrets {
  adminToken: string;
  tokenEncryptionKey: string;
}

/**
 * The admin token and the token-encryption key of a state folder: created once (mode 600),
 * then reused, so `make up` twice keeps partners' tokens readable.
 */
export function ensureSecrets(stateDir: string): MeshSecrets & { adminTokenFile: string } {
  const adminTokenFile = join(stateDir, 'admin-token');
  const keyFile = join(stateDir, 'secrets', 'token-encryption-key');
  const readOrCreate = (file: string, make: () => string): string => {
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(dirname(file), { recursive: true });
    const value = make();
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    return value;
  };
  return {
    adminTokenFile,
    adminToken: readOrCreate(adminTokenFile, () => randomBytes(32).toString('base64url')),
    tokenEncryptionKey: readOrCreate(keyFile, () => randomBytes(32).toString('base64')),
  };
}
