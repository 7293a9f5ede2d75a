/**
 * Crawl: a partner eMSP pulls 50,000 of our locations page by page through the CPO Sender
 * interface, following Link: total time and the gateway's peak RSS (target < 300 MB: the list
 * streams one page at a time, it never loads everything).
 *
 *   node --import tsx bench/crawl.ts        (or: make bench)
 */
import { parseNextLink } from '@voltmesh/ocpi';
import { LocationStore } from '@voltmesh/locations/location-store';
import { connectMongo } from '@voltmesh/mongo';
import { aLocation, anEvse } from '@voltmesh/testing';
import { startBenchMesh } from './support/bench-mesh.js';

const COUNT = Number(process.env['BENCH_LOCATIONS'] ?? 50_000);

const seedStarted = Date.now();
const mesh = await startBenchMesh('crawl', { SERVICE_DEADLINE_MS: '30000' }, async (mongoUrl) => {
  // Imported in bulk before the mesh starts: 50,000 round trips through FerretDB would take
  // most of an hour here; the service loads them into its read model at start.
  const mongo = await connectMongo(mongoUrl, 'voltmesh_locations');
  const locations = Array.from({ length: COUNT }, (_, index) =>
    aLocation({
      country_code: 'NL',
      party_id: 'VLT',
      id: `CRAWL${String(index).padStart(6, '0')}`,
      evses: [anEvse({ uid: 'E1' }), anEvse({ uid: 'E2' })],
      last_updated: new Date(Date.parse('2026-01-01T00:00:00Z') + index * 1000).toISOString(),
    }),
  );
  await new LocationStore(mongo.db).importMany(locations, 'OWN');
  await mongo.close();
});
try {
  console.log(`crawl: ${COUNT} locations imported and the mesh up in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);
  const emsp = await mesh.connect({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', name: 'crawling eMSP' });
  let peakRss = mesh.rssMb('partner-gateway');
  const rssBefore = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, mesh.rssMb('partner-gateway'))), 50);
  const started = Date.now();
  let next: string | undefined = `${mesh.base}/ocpi/2.2.1/cpo/locations?limit=100`;
  let pages = 0;
  let objects = 0;
  const seen = new Set<string>();
  while (next) {
    const page = await emsp.callPeer('GET', next);
    const data = (page.body as { data?: { id: string }[] }).data ?? [];
    if (page.httpStatus !== 200) throw new Error(`page ${pages + 1}: HTTP ${page.httpStatus} ${JSON.stringify(page.body).slice(0, 200)}`);
    for (const location of data) seen.add(location.id);
    objects += data.length;
    pages += 1;
    next = parseNextLink(page.headers['link']);
  }
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  console.log(`  ${pages} pages, ${objects} locations (${seen.size} distinct) in ${seconds.toFixed(1)} s: ${(objects / seconds).toFixed(0)} locations/s`);
  console.log(`  gateway RSS before ${rssBefore.toFixed(0)} MB, peak ${peakRss.toFixed(0)} MB (target < 300 MB); locations service RSS ${mesh.rssMb('locations').toFixed(0)} MB`);
} finally {
  await mesh.stop();
}
