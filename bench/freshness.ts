/**
 * Freshness: a partner's EVSE status PATCH until the new status is visible through the
 * locations service (its LocationChanged event, published right after the save; a sample is
 * read back over gRPC), at a steady 1,000 updates/s, p50 and p99.
 *
 *   node --import tsx bench/freshness.ts        (or: make bench)
 */
import { credentials } from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@voltmesh/kafka';
import { callUnary } from '@voltmesh/grpc';
import type { Location } from '@voltmesh/ocpi';
import { locations, locationService } from '@voltmesh/proto';
import { aLocation, anEvse } from '@voltmesh/testing';
import { ms, ocpiAuthorization, percentile, startBenchMesh, until } from './support/bench-mesh.js';

const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
/** A rate this machine's FerretDB keeps up with, to show the path's latency without a backlog. */
const SUSTAINED = Number(process.env['BENCH_SUSTAINED_RATE'] ?? 10);

const mesh = await startBenchMesh('freshness');
try {
  const cpo = await mesh.connect({ countryCode: 'BE', partyId: 'BEC', role: 'CPO', name: 'bench CPO' });
  const evses = Array.from({ length: 10 }, (_, index) => `E${index + 1}`);
  const ids = Array.from({ length: 20 }, (_, index) => `FRESH${index + 1}`);
  for (const id of ids) {
    await cpo.callPeer('PUT', `${mesh.base}/ocpi/2.2.1/emsp/locations/BE/BEC/${id}`, aLocation({ country_code: 'BE', party_id: 'BEC', id, evses: evses.map((uid) => anEvse({ uid })) }));
  }
  const client = new locationService.LocationServiceClient(mesh.grpc.locations, credentials.createInsecure());
  const get = (id: string) => callUnary<locationService.GetLocationRequest, locationService.GetLocationResponse>(client.getLocation.bind(client), { party: { countryCode: 'BE', partyId: 'BEC' }, id }, 10_000);
  await until('the bench locations to be stored', async () => (await Promise.all(ids.map((id) => get(id).then(() => true, () => false)))).every(Boolean), 60_000);

  // Visibility: the service publishes LocationChanged right after the save.
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const kafka = new Kafka({ brokers: mesh.kafkaBrokers, clientId: 'bench-freshness', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-freshness-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.location.name, fromBeginning: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.run({
    eachMessage: async ({ message }) => {
      // An update is visible once a stored state of its EVSE is at least as new (a burst of
      // updates of one location is stored as one change).
      const changed = locations.LocationChanged.decode(message.value ?? Buffer.alloc(0));
      const location = JSON.parse(changed.location?.ocpiJson ?? '{}') as Location;
      const now = performance.now();
      for (const evse of location.evses ?? []) {
        for (const [key, at] of sent) {
          const [id, uid, lastUpdated] = key.split('/');
          if (id === location.id && uid === evse.uid && lastUpdated! <= evse.last_updated) {
            latencies.push(now - at);
            sent.delete(key);
          }
        }
      }
    },
  });
  await until('the bench consumer to join', () => joined, 30_000);

  const authorization = ocpiAuthorization(cpo.state.peerToken ?? '');
  const start = Date.parse('2027-01-01T00:00:00Z');
  let sequence = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const send = () => {
    sequence += 1;
    const id = ids[sequence % ids.length]!;
    const evse = evses[Math.floor(sequence / ids.length) % evses.length]!;
    const lastUpdated = new Date(start + sequence).toISOString();
    sent.set(`${id}/${evse}/${lastUpdated}`, performance.now());
    const request = fetch(`${mesh.base}/ocpi/2.2.1/emsp/locations/BE/BEC/${id}/${evse}`, {
      method: 'PATCH',
      headers: { authorization, 'content-type': 'application/json' },
      // Each EVSE's status flips on each of its updates, so every update is a real change.
      body: JSON.stringify({ status: Math.floor(sequence / (ids.length * evses.length)) % 2 ? 'AVAILABLE' : 'CHARGING', last_updated: lastUpdated }),
    })
      .then(async (response) => {
        const body = (await response.json()) as { status_code?: number };
        if (body.status_code !== 1000) failed += 1;
      })
      .catch(() => void (failed += 1))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  /** Offers `rate` updates/s for `seconds` (open loop, 10 ms ticks), then waits up to `drainMs` for them to be visible. */
  const phase = async (rate: number, seconds: number, drainMs: number) => {
    latencies.length = 0;
    failed = 0;
    const first = sequence;
    const began = performance.now();
    const total = rate * seconds;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = first + Math.min(total, Math.floor(((performance.now() - began) / 1000) * rate));
        while (sequence < due) send();
        if (sequence - first >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    const achieved = total / ((performance.now() - began) / 1000);
    await Promise.all([...inFlight]);
    await until('every update to become visible', () => sent.size === 0, drainMs).catch(() => undefined);
    console.log(`  ${rate}/s offered for ${seconds} s (achieved ${achieved.toFixed(0)}/s): visible p50 ${ms(percentile(latencies, 50))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(percentile(latencies, 100))}; seen ${latencies.length}/${total} within ${drainMs / 1000} s after the last, refused ${failed}`);
    sent.clear();
  };

  console.log('freshness (PATCH sent → LocationChanged after the save; target p99 < 100 ms at 1,000/s):');
  await phase(SUSTAINED, 10, 30_000);
  await phase(RATE, SECONDS, 60_000);
  const sample = JSON.parse((await get(ids[0]!)).location?.ocpiJson ?? '{}') as Location;
  console.log(`  read back over gRPC: ${ids[0]} last_updated ${sample.last_updated}`);
  await consumer.disconnect();
  client.close();
} finally {
  await mesh.stop();
}
