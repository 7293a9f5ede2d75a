import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSecrets, freePort, randomMeshPorts, repoRoot, startFerret, startKafka, startMesh, startSimPartner, stopMesh, type MeshProcessName, type SimPartner, type SimPartnerOptions } from '@voltmesh/testing';

/** A whole mesh on its own Kafka and FerretDB, in `.voltmesh-bench/<name>`, for one benchmark. */
export interface BenchMesh {
  base: string;
  versionsUrl: string;
  adminUrl: string;
  adminToken: string;
  kafkaBrokers: string[];
  grpc: Record<MeshProcessName, string>;
  stateDir: string;
  /** Resident memory of a mesh process, MB. */
  rssMb(process: MeshProcessName): number;
  connect(options: SimPartnerOptions): Promise<SimPartner>;
  stop(): Promise<void>;
}

/** `seed` runs against the fresh FerretDB before the mesh starts (databases `voltmesh_<service>`). */
export async function startBenchMesh(name: string, env: NodeJS.ProcessEnv = {}, seed?: (mongoUrl: string) => Promise<void>): Promise<BenchMesh> {
  const stateDir = join(repoRoot(), '.voltmesh-bench', name);
  rmSync(stateDir, { recursive: true, force: true });
  const [kafkaPort, controllerPort, mongoPort, mongoDebugPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const [kafka, ferret] = await Promise.all([
    startKafka({ dir: join(stateDir, 'kafka'), port: kafkaPort, controllerPort }),
    startFerret({ dir: join(stateDir, 'ferretdb'), port: mongoPort, debugPort: mongoDebugPort }),
  ]);
  if (seed) await seed(ferret.url);
  const secrets = ensureSecrets(stateDir);
  const ports = await randomMeshPorts();
  const urls = await startMesh({ stateDir, ports, kafkaBrokers: kafka.brokers, mongoUrl: ferret.url, secrets, logLevel: 'warn', env }, 120_000);
  const partners: SimPartner[] = [];
  const grpc = Object.fromEntries(Object.entries(ports.grpc).map(([process, port]) => [process, `127.0.0.1:${port}`])) as Record<MeshProcessName, string>;
  return {
    base: urls.versionsUrl.replace(/\/ocpi\/versions$/, ''),
    ...urls,
    adminToken: secrets.adminToken,
    kafkaBrokers: kafka.brokers,
    grpc,
    stateDir,
    rssMb(process) {
      const pid = readFileSync(join(stateDir, 'run', `${process}.pid`), 'utf8').trim();
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return Number(kb ?? 0) / 1024;
    },
    async connect(options) {
      const partner = await startSimPartner(options);
      partners.push(partner);
      const invitation = await fetch(`${urls.adminUrl}/admin/invitations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ label: options.name ?? 'bench partner' }),
      });
      const { token_a: tokenA, versions_url: versionsUrl } = (await invitation.json()) as { token_a: string; versions_url: string };
      const registered = await partner.registerWith(versionsUrl, tokenA);
      if ((registered.body as { status_code?: number }).status_code !== 1000) throw new Error(`registration failed: ${JSON.stringify(registered.body)}`);
      return partner;
    },
    async stop() {
      await Promise.all(partners.map((partner) => partner.close()));
      await stopMesh(stateDir);
      await Promise.all([kafka.stop(), ferret.stop()]);
    },
  };
}

/** The p-th percentile (0-100) of the values, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (value: number): string => `${value.toFixed(1)} ms`;

export const ocpiAuthorization = (token: string): string => `Token ${Buffer.from(token).toString('base64')}`;

/** Waits until `check` holds, polling every `pollMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
