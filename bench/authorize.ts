/**
 * Real-time authorization answered by us: a partner CPO asks our eMSP to authorize one of our
 * tokens (POST .../emsp/tokens/{uid}/authorize with LocationReferences), through the gateway and
 * the authorization service, at a fixed 1,000 requests/s; a bare fastify endpoint under the same
 * load tool and rate is measured side by side.
 *
 *   node --import tsx bench/authorize.ts        (or: make bench BENCH=authorize)
 */
import { credentials } from '@grpc/grpc-js';
import autocannon from 'autocannon';
import { callUnary } from '@voltmesh/grpc';
import { tokenService } from '@voltmesh/proto';
import { aToken } from '@voltmesh/testing';
import { ms, ocpiAuthorization, startBenchMesh } from './support/bench-mesh.js';
import { startBareFastify } from './support/load.js';

const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const TOKENS = 200;
// autocannon spreads overallRate over its connections in bursts: with 100 even a bare fastify shows p99 > 150 ms here.
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20);

const mesh = await startBenchMesh('authorize', process.env['BENCH_MESH_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_MESH_NODE_OPTIONS'] } : {});
const bare = await startBareFastify();
try {
  const cpo = await mesh.connect({ countryCode: 'BE', partyId: 'BEC', role: 'CPO', name: 'bench CPO' });
  const client = new tokenService.TokenServiceClient(mesh.grpc.authorization, credentials.createInsecure());
  const uids = Array.from({ length: TOKENS }, (_, index) => `BENCH${String(index).padStart(5, '0')}`);
  for (const uid of uids) {
    const token = aToken({ country_code: 'NL', party_id: 'VLM', uid, contract_id: `NL-VLM-${uid}`, last_updated: new Date().toISOString() });
    await callUnary<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(client.issueToken.bind(client), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(token) }), 10_000);
  }
  client.close();
  const authorization = ocpiAuthorization(cpo.state.peerToken ?? '');
  const run = (url: string, seconds: number) => {
    let sequence = 0;
    return autocannon({
      url,
      connections: CONNECTIONS,
      overallRate: RATE,
      duration: seconds,
      headers: { 'content-type': 'application/json', authorization },
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            sequence += 1;
            const uid = uids[sequence % uids.length]!;
            return { ...request, path: `/ocpi/2.2.1/emsp/tokens/${uid}/authorize?type=RFID`, body: JSON.stringify({ location_id: 'LOC1', evse_uids: ['E1'] }) };
          },
        },
      ],
    });
  };
  await run(mesh.base, 3); // warm-up: caches, JIT, connections
  const gateway = await run(mesh.base, SECONDS);
  const reference = await run(bare.url, SECONDS);
  const line = (name: string, result: autocannon.Result) =>
    `  ${name}  ${result.requests.average.toFixed(0)} req/s  p50 ${ms(result.latency.p50)}  p99 ${ms(result.latency.p99)}  non-2xx ${result.non2xx}  errors ${result.errors + result.timeouts}`;
  console.log(`real-time authorization answered by us (fixed ${RATE} req/s, ${SECONDS} s, ${CONNECTIONS} connections, ${TOKENS} tokens):`);
  console.log(line('gateway', gateway));
  console.log(line('fastify', reference));
  console.log(`  ratio p99 gateway/fastify: ${(gateway.latency.p99 / Math.max(reference.latency.p99, 0.1)).toFixed(1)}  (target: p99 < 20 ms at 1,000 req/s)`);
} finally {
  bare.stop();
  await mesh.stop();
}
