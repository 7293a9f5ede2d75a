/**
 * Offline checks of deploy/ (no Docker here): compose.yaml parses and is wired (images, builds,
 * depends_on, mounted paths, healthchecks), every mesh process gets an environment its own
 * config loader accepts and that points at the right compose services, Prometheus scrapes every
 * process, and the Dockerfile matches the workspace. With the test Kafka of test/run.ts, the
 * topics job's ensureTopics() is run for real.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { parse as parseYaml } from 'yaml';
import { MESH_PROCESSES, type MeshProcessName } from '@voltmesh/testing';
import { loadAuthorizationConfig } from '../../services/authorization/src/config.js';
import { loadBillingConfig } from '../../services/billing/src/config.js';
import { loadLocationsConfig } from '../../services/locations/src/config.js';
import { loadDispatcherConfig, loadGatewayConfig } from '../../services/partner-gateway/src/config.js';
import { loadSessionsConfig } from '../../services/sessions/src/config.js';
import { loadTariffsConfig } from '../../services/tariffs/src/config.js';
import { ensureTopics } from '../../deploy/create-topics.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const deployDir = join(repo, 'deploy');
const read = (...path: string[]) => readFileSync(join(repo, ...path), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  depends_on?: Record<string, { condition?: string }>;
  volumes?: string[];
  healthcheck?: { test?: string[] };
  ports?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parseYaml(read('deploy', 'compose.yaml'), { merge: true }) as Compose;
const services = compose.services;

/** The loader of each process: what `node --import tsx <entry>` runs first. */
const LOADERS: Record<MeshProcessName, (env: NodeJS.ProcessEnv) => unknown> = {
  'partner-gateway': loadGatewayConfig,
  dispatcher: loadDispatcherConfig,
  locations: loadLocationsConfig,
  authorization: loadAuthorizationConfig,
  sessions: loadSessionsConfig,
  tariffs: loadTariffsConfig,
  billing: loadBillingConfig,
};

/** Secrets a deployment supplies through deploy/.env (test values of the right shape). */
const DOT_ENV: Record<string, string> = {
  ADMIN_TOKEN: 'a'.repeat(44),
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  GRAFANA_ADMIN_PASSWORD: 'not-a-real-password',
};

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (match, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (match === '$$') return '$';
    const key = name ?? '';
    const set = Object.hasOwn(env, key);
    const value = env[key];
    const empty = !set || (op?.startsWith(':') === true && value === '');
    if (op === ':-' || op === '-') return empty ? (arg ?? '') : (value ?? '');
    if (op === ':?' || op === '?') {
      if (empty) throw new Error(`required variable ${key} is missing: ${arg ?? ''}`);
      return value ?? '';
    }
    return value ?? '';
  });
}

function environmentOf(name: string, env: Record<string, string> = DOT_ENV): Record<string, string> {
  const raw = services[name]?.environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, interpolate(String(value), env)]));
}

/** The services/ folder and entry file a compose service runs. */
function entryOf(name: string): { pkg: string | undefined; entry: string } {
  const service = services[name];
  const command = service?.command ?? ['node', '--import', 'tsx', 'src/main.ts'];
  return { pkg: service?.build?.args?.['SERVICE'], entry: command[command.length - 1] ?? '' };
}

describe('deploy/compose.yaml', () => {
  test('every service has an image or a build whose Dockerfile and context exist', () => {
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.image || service.build, `${name} has neither image nor build`);
      if (service.build) {
        const context = resolve(deployDir, service.build.context ?? '.');
        assert.ok(existsSync(join(context, service.build.dockerfile ?? 'Dockerfile')), `${name}: no Dockerfile ${service.build.dockerfile}`);
        const pkg = service.build.args?.['SERVICE'];
        assert.ok(pkg && existsSync(join(context, 'services', pkg, 'package.json')), `${name}: SERVICE ${pkg} is not a folder of services/`);
        // Two services with one image tag must build it the same way.
        for (const [other, otherService] of Object.entries(services)) {
          if (other !== name && otherService.image === service.image) {
            assert.deepEqual(otherService.build, service.build, `${name} and ${other} share ${service.image} but build it differently`);
          }
        }
      }
    }
  });

  test('depends_on names existing services, and service_healthy ones have a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[target], `${name} depends on unknown service ${target}`);
        assert.ok(['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition ?? ''), `${name} → ${target}: condition ${condition}`);
        if (condition === 'service_healthy') assert.ok(services[target]?.healthcheck?.test, `${name} waits for ${target} to be healthy, which has no healthcheck`);
      }
    }
  });

  test('depends_on has no cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]) => {
      assert.ok(!visiting.has(name), `dependency cycle: ${[...path, name].join(' → ')}`);
      if (done.has(name)) return;
      visiting.add(name);
      for (const target of Object.keys(services[name]?.depends_on ?? {})) visit(target, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  test('every mounted host path exists in the repository; named volumes are declared', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(resolve(deployDir, source)), `${name} mounts ${source}, which does not exist`);
        } else {
          assert.ok(compose.volumes && source in compose.volumes, `${name} uses undeclared volume ${source}`);
        }
      }
    }
  });

  test('the seven mesh processes run their entry files, each healthy through gRPC health, after the topics job', () => {
    for (const process of MESH_PROCESSES) {
      const service = services[process.name];
      assert.ok(service, `compose has no service ${process.name}`);
      const { pkg, entry } = entryOf(process.name);
      assert.equal(`services/${pkg}/${entry}`, process.entry, `${process.name} runs services/${pkg}/${entry}`);
      assert.deepEqual(service.healthcheck?.test, ['CMD', 'node', 'deploy/grpc-health.mjs'], `${process.name} healthcheck`);
      assert.equal(service.depends_on?.['topics']?.condition, 'service_completed_successfully', `${process.name} must start after the topics job`);
      assert.equal(service.depends_on?.['mongo']?.condition, 'service_healthy', `${process.name} must wait for the replica set`);
      assert.equal(service.depends_on?.['kafka']?.condition, 'service_healthy', `${process.name} must wait for Kafka`);
    }
    assert.deepEqual(services['topics']?.command, ['node', '--import', 'tsx', 'deploy/create-topics.ts'], 'the topics job runs deploy/create-topics.ts');
  });

  test('each process environment is accepted by its own config loader', () => {
    for (const process of MESH_PROCESSES) {
      const env = environmentOf(process.name);
      const loader = LOADERS[process.name];
      assert.doesNotThrow(() => loader(env), `${process.name}: ${(() => {
        try {
          loader(env);
          return '';
        } catch (error) {
          return String(error);
        }
      })()}`);
    }
  });

  test('without the secrets compose refuses to start (no default admin token or key)', () => {
    for (const secret of Object.keys(DOT_ENV)) {
      const without = Object.fromEntries(Object.entries(DOT_ENV).filter(([key]) => key !== secret));
      const using = Object.keys(services).filter((name) => Object.values(services[name]?.environment ?? {}).some((value) => String(value).includes(`\${${secret}`)));
      assert.ok(using.length > 0, `nothing uses ${secret}`);
      for (const name of using) {
        assert.throws(() => environmentOf(name, without), new RegExp(`required variable ${secret}`), `${name} starts without ${secret}`);
      }
    }
    assert.ok(!/^ADMIN_TOKEN=\S/m.test(read('deploy', '.env.example')), '.env.example must not carry an admin token');
  });

  test('processes listen on all interfaces and call each other by compose service name', () => {
    const grpcPortOf = new Map(MESH_PROCESSES.map((process) => [process.name as string, environmentOf(process.name)['GRPC_PORT']]));
    for (const process of MESH_PROCESSES) {
      const env = environmentOf(process.name);
      assert.equal(env['GRPC_HOST'], '0.0.0.0', `${process.name} GRPC_HOST`);
      assert.equal(env['OTEL_SERVICE_NAME'], process.name, `${process.name} OTEL_SERVICE_NAME`);
      assert.equal(env['KAFKA_BROKERS'], 'kafka:9092', `${process.name} KAFKA_BROKERS`);
      assert.ok(services[new URL(env['MONGO_URL'] ?? '').hostname], `${process.name} MONGO_URL host is a compose service`);
      assert.ok(services[new URL(env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '').hostname], `${process.name} OTLP endpoint is a compose service`);
      assert.equal(env['MONGO_DB'], `voltmesh_${process.database}`, `${process.name} MONGO_DB`);
      for (const [key, value] of Object.entries(env).filter(([key]) => key.endsWith('_GRPC_ADDRESS'))) {
        const [host, port] = value.split(':');
        assert.ok(host && services[host], `${process.name} ${key}=${value}: no such service`);
        assert.equal(port, grpcPortOf.get(host), `${process.name} ${key}=${value}: ${host} listens on ${grpcPortOf.get(host)}`);
      }
    }
    assert.equal(environmentOf('sessions')['PUBLIC_URL'], environmentOf('partner-gateway')['PUBLIC_URL'], 'sessions builds response_urls on the gateway PUBLIC_URL');
    for (const key of ['HTTP_HOST', 'ADMIN_HOST']) assert.equal(environmentOf('partner-gateway')[key], '0.0.0.0', `gateway ${key}`);
  });

  test('every variable compose sets is one the process reads (no typos)', () => {
    const shared = read('libs', 'config', 'src', 'parse-env.ts');
    for (const process of MESH_PROCESSES) {
      const pkg = entryOf(process.name).pkg ?? '';
      const source = shared + read('services', pkg, 'src', 'config.ts');
      for (const key of Object.keys(environmentOf(process.name))) {
        if (key.startsWith('OTEL_')) continue;
        assert.ok(new RegExp(`\\b${key}\\b`).test(source), `${process.name} sets ${key}, which services/${pkg}/src/config.ts does not read`);
      }
    }
  });
});

describe('deploy/prometheus.yml and Grafana provisioning', () => {
  const prometheus = parseYaml(read('deploy', 'prometheus.yml')) as {
    rule_files?: string[];
    scrape_configs?: { job_name: string; metrics_path?: string; static_configs?: { targets: string[] }[] }[];
  };

  test('one job per mesh process, named after it, scraping its METRICS_PORT', () => {
    const jobs = prometheus.scrape_configs ?? [];
    for (const process of MESH_PROCESSES) {
      const job = jobs.find((candidate) => candidate.job_name === process.name);
      assert.ok(job, `no scrape job ${process.name}`);
      assert.equal(job.metrics_path ?? '/metrics', '/metrics', `${process.name} metrics path`);
      const port = environmentOf(process.name)['METRICS_PORT'] ?? '9464';
      assert.deepEqual(job.static_configs?.flatMap((config) => config.targets), [`${process.name}:${port}`], `${process.name} target`);
    }
  });

  test('the rule files glob is the mounted observability/alerts folder', () => {
    const mount = (services['prometheus']?.volumes ?? []).find((volume) => volume.startsWith('../observability/alerts:'));
    assert.ok(mount, 'observability/alerts is mounted into Prometheus');
    const target = mount.split(':')[1] ?? '';
    assert.deepEqual(prometheus.rule_files, [`${target}/*.rules.yaml`], 'rule_files');
    assert.ok(readdirSync(join(repo, 'observability', 'alerts')).some((file) => file.endsWith('.rules.yaml')), 'a rule file to load');
  });

  test('Grafana reads the mounted observability/dashboards folder', () => {
    const mount = (services['grafana']?.volumes ?? []).find((volume) => volume.startsWith('../observability/dashboards:'));
    assert.ok(mount, 'observability/dashboards is mounted into Grafana');
    const provider = parseYaml(read('deploy', 'grafana', 'provisioning', 'dashboards', 'voltmesh.yaml')) as { providers: { options: { path: string } }[] };
    assert.equal(provider.providers[0]?.options.path, mount.split(':')[1], 'provider path = mount path');
    const datasources = parseYaml(read('deploy', 'grafana', 'provisioning', 'datasources', 'voltmesh.yaml')) as { datasources: { type: string; isDefault?: boolean; url: string }[] };
    assert.ok(datasources.datasources.some((source) => source.type === 'prometheus' && source.isDefault), 'a default Prometheus data source');
    assert.ok(datasources.datasources.some((source) => source.type === 'jaeger'), 'a Jaeger data source');
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy', 'Dockerfile');
  const pkg = JSON.parse(read('package.json')) as { packageManager?: string };

  test('pnpm comes from corepack at the version package.json pins, installed from the lockfile', () => {
    assert.match(pkg.packageManager ?? '', /^pnpm@\d+\.\d+\.\d+/, 'package.json pins pnpm');
    assert.match(dockerfile, /corepack enable && corepack install/, 'corepack installs the pinned pnpm');
    assert.match(dockerfile, /pnpm install --frozen-lockfile/, 'frozen lockfile');
    assert.match(dockerfile, /pnpm deploy [^\n]*--prod \/out/, 'pnpm deploy --prod');
  });

  test('runs as a non-root numeric user with tsx', () => {
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1] ?? '';
    assert.match(user, /^[1-9]\d*(:\d+)?$/, `USER ${user} is numeric and not root`);
    assert.match(dockerfile, /CMD \["node", "--import", "tsx", "src\/main\.ts"\]/, 'CMD runs src/main.ts with tsx');
  });

  test('every service package lists tsx as a runtime dependency (pnpm deploy --prod keeps it)', () => {
    for (const folder of readdirSync(join(repo, 'services'))) {
      const pkg = JSON.parse(read(`services/${folder}/package.json`)) as { dependencies?: Record<string, string> };
      assert.ok(pkg.dependencies?.['tsx'], `services/${folder} depends on tsx`);
    }
  });

  test('.dockerignore keeps secrets, state and node_modules out of the context', () => {
    const ignore = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const entry of ['**/node_modules', '**/.env', '.voltmesh', '.git']) assert.ok(ignore.includes(entry), `.dockerignore lacks ${entry}`);
    for (const entry of ['!deploy/create-topics.ts', '!deploy/grpc-health.mjs', '!test/package.json']) assert.ok(ignore.includes(entry), `.dockerignore must keep ${entry.slice(1)}`);
  });
});

describe('deploy/create-topics.ts', () => {
  const brokers = process.env['VOLTMESH_TEST_KAFKA_BROKERS'];

  test('creates missing topics, grows partitions, and a second run changes nothing', { skip: brokers ? false : 'needs the Kafka of test/run.ts' }, async () => {
    const admin = new Kafka({ brokers: (brokers ?? '').split(','), clientId: 'deploy-test', logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    const prefix = `deploy-test.${randomUUID()}`;
    const specs = [
      { name: `${prefix}.a`, partitions: 3, description: 'a' },
      { name: `${prefix}.b`, partitions: 1, description: 'b' },
    ];
    try {
      assert.deepEqual(await ensureTopics(admin, specs, 1), { created: [specs[0]?.name, specs[1]?.name], grown: [], unchanged: [] }, 'first run creates both');
      const grown = specs.map((spec) => (spec.name.endsWith('.b') ? { ...spec, partitions: 2 } : spec));
      assert.deepEqual(await ensureTopics(admin, grown, 1), { created: [], grown: [`${prefix}.b`], unchanged: [`${prefix}.a`] }, 'b grows to 2 partitions');
      const metadata = await admin.fetchTopicMetadata({ topics: grown.map((spec) => spec.name) });
      assert.deepEqual(
        metadata.topics.map((topic) => [topic.name, topic.partitions.length]).sort(),
        [[`${prefix}.a`, 3], [`${prefix}.b`, 2]],
        'partitions as the registry says',
      );
      assert.deepEqual(await ensureTopics(admin, grown, 1), { created: [], grown: [], unchanged: grown.map((spec) => spec.name) }, 'third run changes nothing');
    } finally {
      await admin.deleteTopics({ topics: specs.map((spec) => spec.name) }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
