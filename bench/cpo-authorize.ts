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
import { partnerService, tokenService } from '@voltmesh/proto';
import { aToken } from '@voltmesh/testing';
import { ms, ocpiAuthorization, percentile, startBenchMesh, until } from './support/bench-mesh.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 1000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 20);
const EMSP_DELAY_MS = 50;

/** Runs `call` REQUESTS times, `inFlight` at a time; the latency of each, ms. */
async function measure(call: (index: number) => Promise<void>, inFlight: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
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

  const gatewayClient = new partnerService.PartnerServiceClient(mesh.grpc['partner-gateway'], credentials.createInsecure());
  const body = JSON.stringify({ location_id: 'LOC1', evse_uids: ['E1'] });
  const uidOf = (index: number) => uids[index % uids.length]!;
  let notFromEmsp = 0;
  const paths = {
    // Our CSMS's question: authorization service → gateway → eMSP.
    ours: async (index: number) => {
      const answer = await authorize(uidOf(index));
      if (answer.decidedBy !== tokenService.DecidedBy.DECIDED_BY_EMSP) notFromEmsp += 1;
    },
    // The gateway's hop alone (PartnerService.AuthorizeToken), to split the overhead between the two services.
    gateway: async (index: number) => {
      await callUnary<partnerService.AuthorizeTokenRequest, partnerService.AuthorizeTokenResponse>(
        gatewayClient.authorizeToken.bind(gatewayClient),
        partnerService.AuthorizeTokenRequest.fromPartial({ tokenParty: { countryCode: 'DE', partyId: 'EMS' }, tokenUid: uidOf(index), tokenType: 'RFID', locationReferencesJson: body, requester: { countryCode: 'NL', partyId: 'VLT' } }),
        10_000,
      );
    },
    direct: async (index: number) => {
      const response = await fetch(`${emsp.baseUrl}/ocpi/2.2.1/tokens/${uidOf(index)}/authorize?type=RFID`, {
        method: 'POST',
        headers: { authorization: ocpiAuthorization(emsp.state.issuedTokens[0] ?? ''), 'content-type': 'application/json' },
        body,
      });
      await response.text();
    },
  };
  await measure(paths.ours, CONCURRENCY); // warm-up
  const line = (name: string, values: number[]) => `  ${name}  p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}`;
  console.log(`CPO-side authorize of a partner token (whitelist ALLOWED), eMSP answering in ${EMSP_DELAY_MS} ms, ${REQUESTS} requests per line:`);
  for (const inFlight of [1, CONCURRENCY]) {
    const ours = await measure(paths.ours, inFlight);
    const viaGateway = await measure(paths.gateway, inFlight);
    const direct = await measure(paths.direct, inFlight);
    console.log(` ${inFlight} in flight:`);
    console.log(line('via our mesh (gRPC Authorize)', ours));
    console.log(line('via the gateway alone (gRPC) ', viaGateway));
    console.log(line('eMSP called directly (HTTP)  ', direct));
    console.log(`  overhead: p50 ${ms(percentile(ours, 50) - percentile(direct, 50))}  p99 ${ms(percentile(ours, 99) - percentile(direct, 99))}  (target: p99 overhead < 10 ms)`);
  }
  console.log(`  answers not from the eMSP: ${notFromEmsp}`);
  gatewayClient.close();
  client.close();
} finally {
  await mesh.stop();
}
