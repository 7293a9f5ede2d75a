import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { parseNextLink, type Location } from '@voltmesh/ocpi';
import { locationService, objects, tariffService } from '@voltmesh/proto';
import { aLocation, anEvse, repoRoot, sleep, startSimPartner, type SimPartner } from '@voltmesh/testing';
import { demoClients, runChargerSimulator, seedDemoNetwork } from '../../scripts/demo/seed.js';
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
  let tariffsClient: tariffService.TariffServiceClient;
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
    tariffsClient = new tariffService.TariffServiceClient(`127.0.0.1:${mesh.grpcPorts.tariffs}`, credentials.createInsecure());
  });

  after(async () => {
    locations.close();
    tariffsClient.close();
    await cpo.close();
    await emsp.close();
    await mesh?.stop();
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

  test('our changes reach the partner eMSP: PUT of new locations, PATCH of a status, tariffs PUT and DELETE, with OCPI headers; never a stale state after a newer one', async () => {
    const ours = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'PUSHED', evses: [anEvse({ uid: 'P1' })], last_updated: '2026-07-01T00:00:00.000Z' });
    await callUnary<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locations.upsertLocation.bind(locations), { ocpiJson: JSON.stringify(ours) }, 5_000);
    const received = (method: string, path: string) => emsp.state.received.filter((push) => push.method === method && push.path === path);
    const put = await eventually(async () => received('PUT', '/ocpi/2.2.1/locations/NL/VLT/PUSHED'), (pushes) => pushes.length > 0, 'the PUT of our new location');
    const headers = put[0]!.headers;
    assert.equal(headers['ocpi-from-country-code'], 'NL');
    assert.equal(headers['ocpi-from-party-id'], 'VLT');
    assert.equal(headers['ocpi-to-country-code'], 'DE');
    assert.equal(headers['ocpi-to-party-id'], 'EMS');
    assert.ok(headers['x-request-id'] && headers['x-correlation-id'], 'X-Request-ID and X-Correlation-ID');
    assert.match(headers['authorization'] ?? '', /^Token [A-Za-z0-9+/=]+$/, 'the partner token, Base64 as 2.2.1 says');
    assert.equal((put[0]!.body as Location).evses[0]?.uid, 'P1');

    // A burst of status changes: only newest states go out, each newer than the one before.
    const statuses = ['CHARGING', 'AVAILABLE', 'RESERVED', 'CHARGING', 'OUTOFORDER', 'AVAILABLE', 'CHARGING'];
    for (const [index, status] of statuses.entries()) {
      await callUnary<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(
        locations.reportEvseStatus.bind(locations),
        { party: { countryCode: 'NL', partyId: 'VLT' }, locationId: 'PUSHED', evseUid: 'P1', status, at: `2026-07-01T00:00:0${index + 1}.000Z` },
        5_000,
      );
    }
    const lastSeen = (pushes: typeof emsp.state.received) => {
      const states = pushes
        .filter((push) => push.path.startsWith('/ocpi/2.2.1/locations/NL/VLT/PUSHED'))
        .map((push) => (push.method === 'PATCH' ? (push.body as { status: string; last_updated: string }) : (push.body as Location).evses[0]!));
      return states;
    };
    const states = await eventually(async () => lastSeen(emsp.state.received), (seen) => seen.at(-1)?.last_updated === '2026-07-01T00:00:07.000Z', 'the newest status to arrive');
    assert.equal(states.at(-1)?.status, 'CHARGING');
    const times = states.map((state) => state.last_updated);
    assert.deepEqual(times, [...times].sort(), `never an older state after a newer one: ${times.join(', ')}`);
    assert.ok(received('PATCH', '/ocpi/2.2.1/locations/NL/VLT/PUSHED/P1').length > 0, 'status changes go as EVSE PATCHes');
    assert.ok(states.length <= statuses.length + 1, 'coalesced: at most one push per change');

    const tariff = { country_code: 'NL', party_id: 'VLT', id: 'PUSHED-T', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] }], last_updated: '2026-07-01T00:00:00Z' };
    await callUnary<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(tariffsClient.upsertTariff.bind(tariffsClient), { ocpiJson: JSON.stringify(tariff) }, 5_000);
    await eventually(async () => received('PUT', '/ocpi/2.2.1/tariffs/NL/VLT/PUSHED-T'), (pushes) => pushes.length === 1, 'the PUT of our tariff');
    await callUnary<tariffService.DeleteTariffRequest, tariffService.DeleteTariffResponse>(tariffsClient.deleteTariff.bind(tariffsClient), { party: { countryCode: 'NL', partyId: 'VLT' }, id: 'PUSHED-T' }, 5_000);
    await eventually(async () => received('DELETE', '/ocpi/2.2.1/tariffs/NL/VLT/PUSHED-T'), (pushes) => pushes.length === 1, 'the DELETE of our tariff');
    assert.equal(cpo.state.received.length, 0, 'a partner without a locations or tariffs Receiver gets nothing');
  });

  test('the demo network and charger simulator (make demo) send real traffic to a connected partner', async () => {
    const clients = demoClients({ locations: `127.0.0.1:${mesh.grpcPorts.locations}`, tariffs: `127.0.0.1:${mesh.grpcPorts.tariffs}` });
    try {
      const network = await seedDemoNetwork(clients, { countryCode: 'NL', partyId: 'VLT', locations: 5, evsesPerLocation: 2, at: '2026-08-01T00:00:00.000Z' });
      const demoPushes = () => emsp.state.received.filter((push) => push.path.includes('/NL/VLT/AMS-'));
      await eventually(async () => demoPushes(), (pushes) => pushes.filter((push) => push.method === 'PUT' && !push.path.includes('/tariffs/')).length >= 5, 'the seeded locations at the partner');
      let reported = 0;
      const simulator = runChargerSimulator(clients, network, 50, () => (reported += 1));
      try {
        await eventually(async () => demoPushes().filter((push) => push.method === 'PATCH').length, (patches) => patches >= 3, 'status PATCHes from the simulator');
      } finally {
        simulator.stop();
      }
      assert.ok(reported >= 3, `${reported} statuses reported`);
      assert.ok(emsp.state.received.some((push) => push.path.startsWith('/ocpi/2.2.1/tariffs/NL/VLT/AC-PARKING')), 'the demo tariffs reached the partner too');
    } finally {
      clients.close();
    }
  });
});
