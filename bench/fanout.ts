/**
 * Fan-out: one status change of our EVSE delivered to 100 simulated partner eMSPs: p50/p99
 * from the status report to each partner's receipt, and the dispatcher's RSS before and after
 * (flat memory: nothing kept per change).
 *
 *   node --import tsx bench/fanout.ts        (or: make bench)
 */
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { locationService } from '@voltmesh/proto';
import { aLocation, anEvse, type SimPartner } from '@voltmesh/testing';
import { ms, percentile, startBenchMesh, until } from './support/bench-mesh.js';

const PARTNERS = Number(process.env['BENCH_PARTNERS'] ?? 100);
const CHANGES = Number(process.env['BENCH_CHANGES'] ?? 10);

const mesh = await startBenchMesh('fanout');
try {
  const partners: SimPartner[] = [];
  for (let index = 0; index < PARTNERS; index += 1) {
    partners.push(await mesh.connect({ countryCode: 'DE', partyId: `E${String(index).padStart(2, '0')}`.slice(0, 3), role: 'EMSP', name: `eMSP ${index}` }));
  }
  const client = new locationService.LocationServiceClient(mesh.grpc.locations, credentials.createInsecure());
  const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'FAN1', evses: [anEvse({ uid: 'E1', last_updated: '2026-01-01T00:00:00.000Z' })], last_updated: '2026-01-01T00:00:00.000Z' });
  await callUnary<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(client.upsertLocation.bind(client), { ocpiJson: JSON.stringify(location) }, 30_000);
  const path = '/ocpi/2.2.1/locations/NL/VLT/FAN1';
  await until('the location PUT at every partner', () => partners.every((partner) => partner.state.received.some((push) => push.path === path)), 120_000);
  // Let the dispatcher settle before the memory baseline.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const rssBefore = mesh.rssMb('dispatcher');

  const latencies: number[] = [];
  for (let change = 1; change <= CHANGES; change += 1) {
    const lastUpdated = new Date(Date.parse('2026-01-01T00:00:00Z') + change * 1000).toISOString();
    const counts = partners.map((partner) => partner.state.received.length);
    const started = performance.now();
    await callUnary<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(
      client.reportEvseStatus.bind(client),
      { party: { countryCode: 'NL', partyId: 'VLT' }, locationId: 'FAN1', evseUid: 'E1', status: change % 2 ? 'CHARGING' : 'AVAILABLE', at: lastUpdated },
      30_000,
    );
    const arrived = new Set<number>();
    await until(
      `change ${change} at every partner`,
      () => {
        partners.forEach((partner, index) => {
          if (arrived.has(index)) return;
          const fresh = partner.state.received.slice(counts[index]);
          if (fresh.some((push) => JSON.stringify(push.body).includes(lastUpdated))) {
            arrived.add(index);
            latencies.push(performance.now() - started);
          }
        });
        return arrived.size === partners.length;
      },
      120_000,
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const rssAfter = mesh.rssMb('dispatcher');
  console.log(`fan-out (${CHANGES} status changes, each to ${PARTNERS} partners):`);
  console.log(`  delivery p50 ${ms(percentile(latencies, 50))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(percentile(latencies, 100))}  (target p99 < 1 s)`);
  console.log(`  dispatcher RSS before ${rssBefore.toFixed(0)} MB, after ${rssAfter.toFixed(0)} MB`);
  client.close();
} finally {
  await mesh.stop();
}
