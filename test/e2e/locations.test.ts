import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { parseNextLink, type Location } from '@voltmesh/ocpi';
import { locationService, objects } from '@voltmesh/proto';
import { aLocation, anEvse, repoRoot, sleep, startSimPartner, type SimPartner } from '@voltmesh/testing';
import { http, startTestMesh, type RunningMesh } from './mesh-fixture.js';

const examples = join(repoRoot(), '..', 'shared', 'ocpi', 'examples', '2.2.1');
const example = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;

interface Envelope<T = unknown> {
  data?: T;
  status_code: number;
  status_message?: string;
}

/** Polls until `read` returns something `ok` accepts (writes travel through Kafka). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

describe('locations end to end: a partner CPO pushes to our eMSP, a partner eMSP pulls from our CPO', () => {
  let mesh: RunningMesh;
  let cpo: SimPartner;
  let emsp: SimPartner;
  let locations: locationService.LocationServiceClient;
  let base: string;
  const admin = (method: string, path: string, body?: unknown) => http(method, `${mesh.adminUrl}${path}`, { authorization: `Bearer ${mesh.adminToken}`, ...(body !== undefined ? { body } : {}) });
  const connect = async (partner: SimPartner) => {
    const invitation = (await admin('POST', '/admin/invitations', { label: 'partner' })).body as { token_a: string; versions_url: string };
    const registered = await partner.registerWith(invitation.versions_url, invitation.token_a);
    assert.equal((registered.body as Envelope).status_code, 1000, JSON.stringify(registered.body));
  };

  before(async () => {
    // Pulls are looked for every 300 ms here (an hour's schedule would never fire in a test).
    mesh = await startTestMesh('locations', { PULL_POLL_MS: '300' });
    base = mesh.versionsUrl.replace(/\/ocpi\/versions$/, '');
    cpo = await startSimPartner({ countryCode: 'BE', partyId: 'BEC', role: 'CPO' });
    // Published before it connects: the first pull is a full crawl of three pages (50 per page).
    for (let index = 0; index < 120; index += 1) {
      cpo.published['locations'] = [...(cpo.published['locations'] ?? []), aLocation({ country_code: 'BE', party_id: 'BEC', id: `PULL${String(index).padStart(3, '0')}`, last_updated: '2026-06-01T00:00:00.000Z' })];
    }
    cpo.published['locations']!.push({ ...aLocation({ country_code: 'BE', party_id: 'BEC', id: 'BROKEN' }), city: undefined });
    emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP' });
    await connect(cpo);
    await connect(emsp);
    locations = new locationService.LocationServiceClient(`127.0.0.1:${mesh.grpcPorts.locations}`, credentials.createInsecure());
  });

  after(async () => {
    locations.close();
    await cpo.close();
    await emsp.close();
    await mesh.stop();
  });

  const listPartner = (party: { countryCode: string; partyId: string }) =>
    callUnary<locationService.ListLocationsRequest, locationService.ListLocationsResponse>(
      locations.listLocations.bind(locations),
      locationService.ListLocationsRequest.fromPartial({ owner: objects.Owner.OWNER_PARTNER, party, page: { limit: 500 } }),
      5_000,
    );

  test("a partner CPO's Sender locations are pulled in full on connect, then again on demand from the admin API", async () => {
    const party = { countryCode: 'BE', partyId: 'BEC' };
    const pulled = await eventually(() => listPartner(party), (reply) => (reply.page?.total ?? 0) >= 120, 'the full crawl to land', 30_000);
    assert.equal(pulled.locations.filter((location) => location.id.startsWith('PULL')).length, 120, 'every valid object of the three pages, the invalid one left out');
    const pages = cpo.state.requests.filter((request) => request.url.startsWith('/ocpi/2.2.1/locations'));
    assert.ok(pages.length >= 3, `followed Link over ${pages.length} pages`);

    cpo.published['locations']!.push(aLocation({ country_code: 'BE', party_id: 'BEC', id: 'LATE', last_updated: new Date().toISOString() }));
    const connectionId = (((await admin('GET', '/admin/connections')).body as { connections: { id: string; roles: { party_id: string }[] }[] }).connections.find((connection) => connection.roles.some((role) => role.party_id === 'BEC')))!.id;
    const requested = await admin('POST', `/admin/connections/${connectionId}/sync`, {});
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    await eventually(() => listPartner(party), (reply) => reply.locations.some((location) => location.id === 'LATE'), 'the requested sync to bring the new location', 30_000);
    const incremental = cpo.state.requests.filter((request) => request.url.startsWith('/ocpi/2.2.1/locations')).at(-1);
    assert.match(incremental?.url ?? '', /date_from=/, 'the second pull is incremental');
  });

  test('the official example is PUT, read back, patched at EVSE level and merged', async () => {
    const url = `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/LOC1`;
    const put = await cpo.callPeer('PUT', url, example('location_example.json'));
    assert.equal(put.httpStatus, 200);
    assert.equal((put.body as Envelope).status_code, 1000, JSON.stringify(put.body));
    const stored = await eventually(() => cpo.callPeer('GET', url), (result) => (result.body as Envelope).status_code === 1000, 'the location to be readable');
    assert.equal((stored.body as Envelope<Location>).data?.evses.length, 2);

    const patch = await cpo.callPeer('PATCH', `${url}/3256`, example('location_patch_example_status.json'));
    assert.equal((patch.body as Envelope).status_code, 1000, JSON.stringify(patch.body));
    const evse = await eventually(
      () => cpo.callPeer('GET', `${url}/3256`),
      (result) => (result.body as Envelope<{ status: string }>).data?.status === 'CHARGING',
      'the EVSE status to change',
    );
    assert.equal((evse.body as Envelope<{ uid: string }>).data?.uid, '3256');
    const whole = (await cpo.callPeer('GET', url)).body as Envelope<Location>;
    assert.deepEqual(whole.data?.evses.map((item) => item.uid), ['3256', '3257'], 'the EVSE the patch did not name is still there');
    assert.equal(whole.data?.last_updated, '2019-06-24T12:39:09.000Z', "the child's change moved the location forward");
  });

  test('bad writes get OCPI errors: wrong ids 2001, unknown location 2003, other party 404, nothing stored', async () => {
    const wrongId = await cpo.callPeer('PUT', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/LOC2`, example('location_example.json'));
    assert.equal((wrongId.body as Envelope).status_code, 2001);
    assert.match((wrongId.body as Envelope).status_message ?? '', /^id:/);
    const unknown = await cpo.callPeer('PATCH', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/NOPE`, { name: 'x', last_updated: '2026-01-01T00:00:00Z' });
    assert.equal(unknown.httpStatus, 404);
    assert.equal((unknown.body as Envelope).status_code, 2003);
    const other = await cpo.callPeer('PUT', `${base}/ocpi/2.2.1/emsp/locations/NL/VLT/LOC1`, { ...example('location_example.json'), country_code: 'NL', party_id: 'VLT' });
    assert.equal(other.httpStatus, 404);
    const invalid = await cpo.callPeer('PUT', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/LOC9`, { ...example('location_example.json'), id: 'LOC9', city: 'c'.repeat(46) });
    assert.equal((invalid.body as Envelope).status_code, 2001);
    assert.match((invalid.body as Envelope).status_message ?? '', /city/);
    await sleep(300);
    const none = await cpo.callPeer('GET', `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/LOC9`);
    assert.equal((none.body as Envelope).status_code, 2003, 'a rejected body is never stored');
  });

  test('a partner eMSP pages through our locations with Link, X-Total-Count and X-Limit', async () => {
    for (let index = 0; index < 7; index += 1) {
      const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: `OWN${index}`, evses: [anEvse({ uid: `E${index}` })], last_updated: `2026-05-0${index + 1}T00:00:00.000Z` });
      await callUnary<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locations.upsertLocation.bind(locations), { ocpiJson: JSON.stringify(location) }, 5_000);
    }
    const seen: string[] = [];
    let next: string | undefined = `${base}/ocpi/2.2.1/cpo/locations?limit=3&date_from=2026-05-02T00:00:00Z`;
    let pages = 0;
    while (next) {
      const page = await emsp.callPeer('GET', next);
      assert.equal(page.httpStatus, 200, JSON.stringify(page.body));
      assert.equal(page.headers['x-total-count'], '6', 'date_from leaves one out');
      assert.equal(page.headers['x-limit'], '100');
      seen.push(...((page.body as Envelope<Location[]>).data ?? []).map((location) => location.id));
      next = parseNextLink(page.headers['link']);
      pages += 1;
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen, ['OWN1', 'OWN2', 'OWN3', 'OWN4', 'OWN5', 'OWN6']);

    const one = await emsp.callPeer('GET', `${base}/ocpi/2.2.1/cpo/locations/OWN3/E3`);
    assert.equal((one.body as Envelope<{ uid: string }>).data?.uid, 'E3');
    const missing = await emsp.callPeer('GET', `${base}/ocpi/2.2.1/cpo/locations/NOPE`);
    assert.equal((missing.body as Envelope).status_code, 2003);
    const badQuery = await emsp.callPeer('GET', `${base}/ocpi/2.2.1/cpo/locations?date_from=yesterday`);
    assert.equal((badQuery.body as Envelope).status_code, 2001);
    assert.match((badQuery.body as Envelope).status_message ?? '', /date_from/);
  });
});
