/**
 * Command round trip at our CPO: a partner eMSP POSTs START_SESSION, the gateway checks and
 * hands it to the sessions service, our CSMS (the demo's simulator) executes it and reports the
 * result, and the dispatcher POSTs the CommandResult to the partner's response_url. Measured
 * from the partner's POST until the result arrives at the partner, p50 and p99.
 *
 *   node --import tsx bench/commands.ts        (or: make bench BENCH=commands)
 */
import { randomUUID } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { locationService } from '@voltmesh/proto';
import { aLocation, aToken, anEvse } from '@voltmesh/testing';
import { createLogger } from '@voltmesh/telemetry';
import { startCsmsSimulator } from '../scripts/demo/csms.js';
import { ms, percentile, startBenchMesh, until } from './support/bench-mesh.js';

const COMMANDS = Number(process.env['BENCH_COMMANDS'] ?? 100);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 5);

const mesh = await startBenchMesh('commands', { COMMAND_RATE_PER_MINUTE: '100000', COMMAND_RATE_BURST: '1000' });
try {
  const emsp = await mesh.connect({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', name: 'bench eMSP' });
  const locations = new locationService.LocationServiceClient(mesh.grpc.locations, credentials.createInsecure());
  const evses = Array.from({ length: 20 }, (_, index) => anEvse({ uid: `E${index + 1}`, evse_id: `NL*VLT*E${index + 1}` }));
  await callUnary<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locations.upsertLocation.bind(locations), { ocpiJson: JSON.stringify(aLocation({ country_code: 'NL', party_id: 'VLT', id: 'BENCH-CMD', evses })) }, 10_000);
  locations.close();
  const token = aToken({ uid: 'BENCH-CARD', whitelist: 'ALLOWED' });
  await emsp.callPeer('PUT', `${emsp.peerEndpoint('tokens', 'RECEIVER')}DE/EMS/BENCH-CARD`, token);
  const csms = await startCsmsSimulator({ kafkaBrokers: mesh.kafkaBrokers, sessionsAddress: mesh.grpc.sessions, locationsAddress: mesh.grpc.locations, groupId: `bench-csms-${Date.now()}`, logger: createLogger('csms', 'silent') });
  const commandsUrl = emsp.peerEndpoint('commands', 'RECEIVER');

  /** Per command, ms after the partner's POST: answered, seen by the CSMS, reported by it, result at the partner. */
  const phases: { answered: number; seen: number; reported: number; arrived: number }[] = [];
  const roundTrip = async (index: number): Promise<number> => {
    const path = `/ocpi/2.2.1/commands/START_SESSION/${randomUUID()}`;
    const started = Date.now();
    const answer = await emsp.callPeer('POST', `${commandsUrl}START_SESSION`, { response_url: `${emsp.baseUrl}${path}`, token, location_id: 'BENCH-CMD', evse_uid: evses[index % evses.length]!.uid });
    const answered = Date.now();
    if ((answer.body as { data?: { result?: string } }).data?.result !== 'ACCEPTED') throw new Error(`command not accepted: ${JSON.stringify(answer.body)}`);
    let arrived: number | undefined;
    await until('the CommandResult at the partner', () => {
      arrived = emsp.state.received.find((push) => push.path === path)?.at;
      return arrived !== undefined;
    }, 30_000);
    const executed = csms.handled.find((done) => done.responseUrl.endsWith(path));
    if (executed) phases.push({ answered: answered - started, seen: executed.seenAt - started, reported: executed.reportedAt - started, arrived: arrived! - started });
    return arrived! - started;
  };
  const run = async (count: number, inFlight: number) => {
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) latencies.push(await roundTrip(next++));
    }));
    return latencies;
  };
  await until('the CSMS simulator to join its group', async () => (await roundTrip(0)) > 0, 60_000);
  await run(20, CONCURRENCY); // warm-up
  console.log(`command round trip (partner START_SESSION → CommandResult at the partner), ${COMMANDS} commands per line:`);
  for (const inFlight of [1, CONCURRENCY]) {
    phases.length = 0;
    const startedAt = Date.now();
    const latencies = await run(COMMANDS, inFlight);
    const seconds = (Date.now() - startedAt) / 1000;
    const p50 = (pick: (phase: (typeof phases)[number]) => number) => ms(percentile(phases.map(pick), 50));
    console.log(` ${inFlight} in flight, ${(COMMANDS / seconds).toFixed(1)} commands/s:  p50 ${ms(percentile(latencies, 50))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(Math.max(...latencies))}  (target: p99 < 500 ms)`);
    console.log(`   p50 since the partner's POST: at the CSMS ${p50((phase) => phase.seen)}, answered ${p50((phase) => phase.answered)}, CSMS report returned ${p50((phase) => phase.reported)}, result at the partner ${p50((phase) => phase.arrived)}`);
  }
  await csms.stop();
} finally {
  await mesh.stop();
}
