/**
 * CPO-side authorization: our CSMS asks the authorization service (gRPC Authorize) about a
 * partner token with whitelist ALLOWED, which asks the token's eMSP in real time through the
 * gateway's PartnerService. The simulated eMSP answers after 50 ms; the same eMSP called
 * directly over HTTP, with the same concurrency, is measured side by side: the difference is
 * our overhead.
 *
 *   node --import tsx bench/cpo-authorize.ts        (or: make bench BENCH=cpo-authorize)
 */
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { tokenService } from '@voltmesh/proto';
import { aToken } from '@voltmesh/testing';
import { ms, ocpiAuthorization, percentile, startBenchMesh, until } from './support/bench-mesh.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 2000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 20);
const EMSP_DELAY_MS = 50;

/** Runs `call` REQUESTS times, CONCURRENCY at a time; the latency of each, ms. */
async function measure(call: (index: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const index = next++;
        const started = performance.now();
        await call(index);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

const mesh = await startBenchMesh('cpo-authorize');
try {
  const emsp = await mesh.connect({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', name: 'bench eMSP' });
  emsp.behaviour.authorizeDelayMs = EMSP_DELAY_MS;
  const tokensUrl = emsp.peerEndpoint('tokens', 'RECEIVER');
  const uids = Array.from({ length: 50 }, (_, index) => `EMS${String(index).padStart(4, '0')}`);
  emsp.published['tokens'] = uids.map((uid) => aToken({ uid, whitelist: 'ALLOWED' }));
  for (const token of emsp.published['tokens']) await emsp.callPeer('PUT', `${tokensUrl}DE/EMS/${(token as { uid: string }).uid}`, token);
  const client = new tokenService.TokenServiceClient(mesh.grpc.authorization, credentials.createInsecure());
  const authorize = (uid: string) =>
    callUnary<tokenService.AuthorizeRequest, tokenService.AuthorizeResponse>(client.authorize.bind(client), tokenService.AuthorizeRequest.fromPartial({ uid, type: 'RFID', locationId: 'LOC1', evseUids: ['E1'] }), 10_000);
  await until('the partner tokens to be stored', async () => (await authorize(uids.at(-1)!)).decidedBy === tokenService.DecidedBy.DECIDED_BY_EMSP, 60_000);

  let notFromEmsp = 0;
  await measure(async (index) => void (await authorize(uids[index % uids.length]!))); // warm-up
  const ours = await measure(async (index) => {
    const answer = await authorize(uids[index % uids.length]!);
    if (answer.decidedBy !== tokenService.DecidedBy.DECIDED_BY_EMSP) notFromEmsp += 1;
  });
  const direct = await measure(async (index) => {
    const response = await fetch(`${emsp.baseUrl}/ocpi/2.2.1/tokens/${uids[index % uids.length]}/authorize?type=RFID`, {
      method: 'POST',
      headers: { authorization: ocpiAuthorization(emsp.state.issuedTokens[0] ?? ''), 'content-type': 'application/json' },
      body: JSON.stringify({ location_id: 'LOC1', evse_uids: ['E1'] }),
    });
    await response.text();
  });
  client.close();
  const line = (name: string, values: number[]) => `  ${name}  p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}`;
  console.log(`CPO-side authorize of a partner token (whitelist ALLOWED), eMSP answering in ${EMSP_DELAY_MS} ms, ${REQUESTS} requests, ${CONCURRENCY} in flight:`);
  console.log(line('via our mesh (gRPC Authorize)', ours));
  console.log(line('eMSP called directly (HTTP)  ', direct));
  console.log(`  overhead: p50 ${ms(percentile(ours, 50) - percentile(direct, 50))}  p99 ${ms(percentile(ours, 99) - percentile(direct, 99))}  (target: p99 overhead < 10 ms); answers not from the eMSP: ${notFromEmsp}`);
} finally {
  await mesh.stop();
}
