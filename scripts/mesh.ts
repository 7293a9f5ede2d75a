/**
 * `make up` / `make down` / `make status`: the whole mesh on the embedded local infrastructure,
 * under the state folder .voltmesh/ (override with VOLTMESH_STATE_DIR).
 */
import { join, relative } from 'node:path';
import {
  defaultPorts,
  ensureSecrets,
  MESH_PROCESSES,
  repoRoot,
  runningPid,
  startFerret,
  startKafka,
  startMesh,
  stopFerret,
  stopKafka,
  stopMesh,
} from '@voltmesh/testing';

const root = repoRoot();
const stateDir = process.env['VOLTMESH_STATE_DIR'] ?? join(root, '.voltmesh');
const ports = defaultPorts();
const command = process.argv[2];

async function up(): Promise<void> {
  const started = Date.now();
  const secrets = ensureSecrets(stateDir);
  const [kafka, ferret] = await Promise.all([
    startKafka({ dir: join(stateDir, 'kafka'), port: ports.kafka, controllerPort: ports.kafkaController }),
    startFerret({ dir: join(stateDir, 'ferretdb'), port: ports.mongo, debugPort: ports.mongoDebug }),
  ]);
  const urls = await startMesh({
    stateDir,
    ports,
    kafkaBrokers: kafka.brokers,
    mongoUrl: ferret.url,
    secrets,
    logLevel: process.env['LOG_LEVEL'] ?? 'info',
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`voltmesh is up (${MESH_PROCESSES.length} processes healthy, ${seconds} s)
  OCPI versions URL: ${urls.versionsUrl}
  admin API:         ${urls.adminUrl}   (Authorization: Bearer <token>)
  admin token:       ${relative(process.cwd(), secrets.adminTokenFile) || secrets.adminTokenFile}
  Kafka:             ${kafka.brokers.join(',')}
  MongoDB wire:      ${ferret.url}
  metrics:           ${MESH_PROCESSES.map((process) => `${process.name} :${ports.metrics[process.name]}`).join(', ')}  (GET /metrics)
  logs:              make logs   (files in ${relative(process.cwd(), join(stateDir, 'logs'))}/)`);
}

async function down(): Promise<void> {
  const stopped = await stopMesh(stateDir);
  const [kafka, ferret] = await Promise.all([stopKafka(join(stateDir, 'kafka')), stopFerret(join(stateDir, 'ferretdb'))]);
  const all = [...stopped, ...(kafka ? ['kafka'] : []), ...(ferret ? ['ferretdb'] : [])];
  console.log(all.length > 0 ? `stopped: ${all.join(', ')} (data kept in ${stateDir})` : 'nothing was running');
}

function status(): void {
  const rows = [
    ...MESH_PROCESSES.map((process) => [process.name, join(stateDir, 'run', `${process.name}.pid`)] as const),
    ['kafka', join(stateDir, 'kafka', 'kafka.pid')] as const,
    ['ferretdb', join(stateDir, 'ferretdb', 'ferretdb.pid')] as const,
  ];
  for (const [name, pidFile] of rows) {
    const pid = runningPid(pidFile);
    console.log(`${name.padEnd(16)} ${pid === undefined ? 'stopped' : `running (pid ${pid})`}`);
  }
}

try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else if (command === 'status') status();
  else {
    console.error('usage: tsx scripts/mesh.ts up|down|status');
    process.exit(2);
  }
} catch (error) {
  console.error(`voltmesh ${command}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
