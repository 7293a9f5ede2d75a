/**
 * Throughput of the CPO CDR pipeline: completed sessions on sessions.session.v1 → CDRs priced
 * by the tariffs engine, stored and announced on billing.cdr.v1. Not a test (no assertions): a
 * measurement, run by hand.
 *
 *   node --import tsx services/billing/test/cdr-throughput.ts
 *   BENCH_CDRS=20000 BENCH_PRICING=stub node --import tsx services/billing/test/cdr-throughput.ts
 *
 * It starts its own Kafka and FerretDB under .voltmesh-bench/billing-cdrs, the real tariffs
 * service (BENCH_PRICING=real, the default) or the test stand-in (stub) and the billing service
 * as processes, publishes BENCH_CDRS completed sessions first, then measures how fast billing
 * drains them: from its start until every CdrCreated is on Kafka.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka, EventPublisher, Topics } from '@voltmesh/kafka';
import { aCdrLocation, aChargingPeriod, aPriceComponent, aSession, aTariff, aTariffElement, collectEvents, freePort, repoRoot, startFerret, startKafka, waitFor } from '@voltmesh/testing';
import { checkGrpcHealth } from '@voltmesh/grpc';
import { sessions } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { startTariffStub } from './stubs.js';

const COUNT = Number(process.env['BENCH_CDRS'] ?? 10_000);
const PRICING = process.env['BENCH_PRICING'] ?? 'real';
const root = repoRoot();
const stateDir = join(root, '.voltmesh-bench', 'billing-cdrs');
rmSync(stateDir, { recursive: true, force: true });
mkdirSync(join(stateDir, 'logs'), { recursive: true });

const [kafkaPort, controllerPort, mongoPort, mongoDebugPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const [kafka, ferret] = await Promise.all([
  startKafka({ dir: join(stateDir, 'kafka'), port: kafkaPort, controllerPort }),
  startFerret({ dir: join(stateDir, 'ferretdb'), port: mongoPort, debugPort: mongoDebugPort }),
]);
const children: ChildProcess[] = [];
const pids: Record<string, number> = { kafka: kafka.pid, ferretdb: ferret.pid };

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
const stub = PRICING === 'stub' ? await startTariffStub() : undefined;

/** A mesh process of its own (stdout/stderr to .voltmesh-bench/billing-cdrs/logs). */
async function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv, grpcPort: number, nodeArgs: string[] = []): Promise<void> {
  const log = openSync(join(stateDir, 'logs', `${name}.log`), 'a');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, entry)], {
    cwd: root,
    stdio: ['ignore', log, log],
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], KAFKA_BROKERS: kafka.brokers.join(','), MONGO_URL: ferret.url, LOG_LEVEL: 'warn', GRPC_PORT: String(grpcPort), ...env },
  });
  children.push(child);
  if (child.pid) pids[name] = child.pid;
  await waitFor(`${name} to serve`, async () => (await checkGrpcHealth(`127.0.0.1:${grpcPort}`, '', 1_000)) === 'SERVING', 120_000, join(stateDir, 'logs', `${name}.log`));
}

try {
  let tariffsAddress = stub?.address ?? '';
  if (!stub) {
    const port = await freePort();
    await startProcess('tariffs', 'services/tariffs/src/main.ts', { MONGO_DB: 'voltmesh_tariffs' }, port);
    tariffsAddress = `127.0.0.1:${port}`;
  }

  // A realistic snapshot: a tariff with a start fee, energy and time prices and a parking element; 4 periods.
  const tariff = aTariff({
    country_code: 'NL',
    party_id: 'VLT',
    id: 'AC-STANDARD',
    elements: [
      aTariffElement({ price_components: [aPriceComponent({ type: 'FLAT', price: 0.5, step_size: 0 })] }),
      aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.35 }), aPriceComponent({ type: 'TIME', price: 1.2, step_size: 60 })] }),
      aTariffElement({ price_components: [aPriceComponent({ type: 'PARKING_TIME', price: 2, step_size: 300 })] }),
    ],
  });
  const periods = [0, 1, 2, 3].map((index) =>
    aChargingPeriod({
      start_date_time: new Date(Date.parse('2026-01-01T10:00:00Z') + index * 900_000).toISOString(),
      tariff_id: 'AC-STANDARD',
      dimensions:
        index < 3
          ? [
              { type: 'ENERGY', volume: 2.75 },
              { type: 'TIME', volume: 0.25 },
              { type: 'POWER', volume: 11 },
              { type: 'STATE_OF_CHARGE', volume: 40 + index * 10 },
            ]
          : [{ type: 'PARKING_TIME', volume: 0.25 }],
    }),
  );
  const sessionEvent = (index: number) => {
    const id = `BENCH-${index.toString().padStart(8, '0')}`;
    const session = aSession({ country_code: 'NL', party_id: 'VLT', id, status: 'COMPLETED', kwh: 8.25, end_date_time: '2026-01-01T11:00:00.000Z', charging_periods: periods });
    return sessions.SessionChanged.encode({
      session: sessions.Session.fromPartial({
        role: sessions.SessionRole.SESSION_ROLE_CPO,
        ocpiJson: JSON.stringify(session),
        revision: '9',
        updatedAt: new Date().toISOString(),
        cpo: { countryCode: 'NL', partyId: 'VLT' },
        id,
        status: 'COMPLETED',
        cdrLocationJson: JSON.stringify(aCdrLocation({ evse_id: 'NL*VLT*E1' })),
        tariffJson: JSON.stringify(tariff),
        timeZone: 'Europe/Amsterdam',
        periodCount: periods.length,
      }),
    }).finish();
  };

  const logger = createLogger('bench', 'warn');
  const client = createKafka({ brokers: kafka.brokers, clientId: 'bench' }, logger);
  const publisher = new EventPublisher(client, 'bench');
  await publisher.connect();
  const published = Date.now();
  for (let start = 0; start < COUNT; start += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, COUNT - start) }, (_, offset) =>
        publisher.publish({ topic: Topics.session, key: `NL*VLT*BENCH-${start + offset}`, type: 'voltmesh.sessions.v1.SessionChanged', value: sessionEvent(start + offset) }),
      ),
    );
  }
  console.log(`published ${COUNT} completed sessions in ${Date.now() - published} ms`);
  await publisher.disconnect();

  const cdrsOut = await collectEvents(kafka.brokers, Topics.cdr, 'bench-cdrs');
  const billingPort = await freePort();
  const started = Date.now();
  // BENCH_PROFILE_DIR: a CPU profile of billing, written when it stops.
  const profile = process.env['BENCH_PROFILE_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE_DIR']}`] : [];
  await startProcess('billing', 'services/billing/src/main.ts', { MONGO_DB: 'voltmesh_billing', TARIFFS_GRPC_ADDRESS: tariffsAddress, REPUBLISH_INTERVAL_MS: '60000' }, billingPort, profile);
  const ready = Date.now();
  const cpuAtReady = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  let lastReport = Date.now();
  let first: { at: number; count: number } | undefined;
  await waitFor(
    `${COUNT} CdrCreated`,
    async () => {
      if (!first && cdrsOut.events.length > 0) first = { at: Date.now(), count: cdrsOut.events.length };
      if (Date.now() - lastReport > 5_000) {
        lastReport = Date.now();
        const seconds = (Date.now() - ready) / 1000;
        console.log(`  ${cdrsOut.events.length} CDRs after ${seconds.toFixed(1)} s (${(cdrsOut.events.length / seconds).toFixed(0)}/s)`);
      }
      return cdrsOut.events.length >= COUNT;
    },
    900_000,
  );
  const done = Date.now();
  const cpu = Object.entries(pids).map(([name, pid]) => `${name} ${(((cpuSeconds(pid) - (cpuAtReady[name] ?? 0)) * 1000) / COUNT).toFixed(2)}`);
  const unique = new Set(cdrsOut.events.map((event) => event.key)).size;
  console.log(`pricing: ${PRICING === 'stub' ? 'test stand-in (trivial)' : 'the real tariffs service (process)'}`);
  console.log(`billing ready after ${ready - started} ms; ${COUNT} CDRs (${unique} distinct) generated, priced, stored and announced in ${((done - ready) / 1000).toFixed(1)} s`);
  console.log(`throughput: ${(COUNT / ((done - ready) / 1000)).toFixed(0)} CDRs/s from billing ready, ${((COUNT - (first?.count ?? 0)) / ((done - (first?.at ?? ready)) / 1000)).toFixed(0)} CDRs/s from the first CDR on (target ≥ 500/s)`);
  console.log(`CPU ms per CDR: ${cpu.join(', ')} (the machine has 2 cores; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  await cdrsOut.stop();
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await stub?.server.stop();
  await Promise.all([kafka.stop(), ferret.stop()]);
}
