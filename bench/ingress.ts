/**
 * Ingress: authenticated, validated EVSE status PATCHes from a partner, each acknowledged only
 * after Kafka acks=all, against a bare fastify JSON endpoint under the same load tool and
 * concurrency, measured side by side in this run.
 *
 *   node --import tsx bench/ingress.ts        (or: make bench)
 */
import { aLocation, anEvse } from '@voltmesh/testing';
import { ms, ocpiAuthorization, startBenchMesh, until } from './support/bench-mesh.js';
import { patchLoad, startBareFastify } from './support/load.js';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);

const mesh = await startBenchMesh('ingress');
const bare = await startBareFastify();
try {
  const cpo = await mesh.connect({ countryCode: 'BE', partyId: 'BEC', role: 'CPO', name: 'bench CPO' });
  const evses = Array.from({ length: 20 }, (_, index) => `E${index + 1}`);
  const location = aLocation({ country_code: 'BE', party_id: 'BEC', id: 'BENCH1', evses: evses.map((uid) => anEvse({ uid })) });
  const locationUrl = `${mesh.base}/ocpi/2.2.1/emsp/locations/BE/BEC/BENCH1`;
  await cpo.callPeer('PUT', locationUrl, location);
  await until('the bench location to be stored', async () => ((await cpo.callPeer('GET', locationUrl)).body as { status_code: number }).status_code === 1000, 30_000);
  const authorization = ocpiAuthorization(cpo.state.peerToken ?? '');

  // Warm-up, then the two measurements back to back with the same tool and concurrency.
  await patchLoad({ baseUrl: mesh.base, pathPrefix: '/ocpi/2.2.1/emsp/locations/BE/BEC/BENCH1', evses, authorization, connections: CONNECTIONS, seconds: 3 });
  const gateway = await patchLoad({ baseUrl: mesh.base, pathPrefix: '/ocpi/2.2.1/emsp/locations/BE/BEC/BENCH1', evses, authorization, connections: CONNECTIONS, seconds: SECONDS });
  const reference = await patchLoad({ baseUrl: bare.url, pathPrefix: '/ocpi/2.2.1/emsp/locations/BE/BEC/BENCH1', evses, connections: CONNECTIONS, seconds: SECONDS });

  console.log(`ingress (${CONNECTIONS} connections, ${SECONDS} s each, autocannon):`);
  console.log(`  gateway  ${gateway.requestsPerSecond.toFixed(0)} req/s  p50 ${ms(gateway.p50)}  p99 ${ms(gateway.p99)}  non-2xx ${gateway.non2xx}  errors ${gateway.errors}`);
  console.log(`  fastify  ${reference.requestsPerSecond.toFixed(0)} req/s  p50 ${ms(reference.p50)}  p99 ${ms(reference.p99)}`);
  console.log(`  ratio gateway/fastify: ${(gateway.requestsPerSecond / reference.requestsPerSecond).toFixed(3)}  (targets: >= 5000 req/s, p99 < 50 ms, ratio >= 0.3)`);
} finally {
  bare.stop();
  await mesh.stop();
}
