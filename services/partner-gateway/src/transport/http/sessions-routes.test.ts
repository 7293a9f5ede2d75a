import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AppError, unavailable } from '@voltmesh/errors';
import type { EventToPublish } from '@voltmesh/kafka';
import { sessionSchema, type Session } from '@voltmesh/ocpi';
import { objects, sessions as sessionEvents } from '@voltmesh/proto';
import { aChargingPeriod, aCdrToken, aSession, aToken } from '@voltmesh/testing';
import { IngressPublisher } from '../../adapters/ingress-publisher.js';
import { type ChargingPreferencesRequest, type SessionFilter, type StoredSession } from '../../adapters/sessions-client.js';
import type { SessionReceiverDeps } from '../../application/receivers/receive-session.js';
import type { SessionSenderDeps } from '../../application/senders/list-sessions.js';
import { registerSessionRoutes } from './sessions-routes.js';
import { aPartner, authAs, ocpiTestApp } from './route-test-harness.js';

const PUBLIC_URL = 'https://ocpi.voltmesh.example';
// Our parties: CPOs NL*VLT and NL*VL2, eMSP DE*EMS (the builders' token party).
const cpoParties = [
  { countryCode: 'NL', partyId: 'VLT' },
  { countryCode: 'NL', partyId: 'VL2' },
];
const ownParties = [...cpoParties.map((party) => ({ ...party, role: 'CPO' })), { role: 'EMSP', countryCode: 'DE', partyId: 'EMS' }];
// Partners: the builders' CPO DE*ABC; an eMSP FR*EMP; an eMSP with two parties; a CPO-only one; a hub.
const partnerCpo = aPartner('cpo-conn', [['CPO', 'DE', 'ABC']]);
const partnerEmsp = aPartner('emsp-conn', [['EMSP', 'FR', 'EMP']]);
const twoEmsps = aPartner('two-conn', [['EMSP', 'BE', 'EM1'], ['EMSP', 'BE', 'EM2']]);
const cpoOnly = aPartner('cpo-only', [['CPO', 'FR', 'CPX']]);
const hub = aPartner('hub-conn', [['HUB', 'EU', 'HUB']]);

/** Every port the routes reach, standing in for Kafka and the services and recording what reached them. */
function world() {
  const published: EventToPublish[] = [];
  const state = {
    stored: undefined as StoredSession | undefined,
    kafkaDown: false,
    sessionsDown: false,
    preferencesError: undefined as AppError | undefined,
  };
  const lists: Array<{ filter: SessionFilter; page: { offset: number; limit: number; dateFrom?: string; dateTo?: string } }> = [];
  const preferences: ChargingPreferencesRequest[] = [];
  const page: Session[] = [aSession({ country_code: 'NL', party_id: 'VLT', id: 'S1' }), aSession({ country_code: 'NL', party_id: 'VLT', id: 'S2' })].map((s) => sessionSchema.parse(s));
  const receiver: SessionReceiverDeps = {
    sessions: {
      async get() {
        if (state.sessionsDown) throw unavailable('sessions service: connection refused');
        return state.stored;
      },
    },
    tokens: { get: async (cc, pid, uid) => (`${cc}*${pid}*${uid}` === 'DE*EMS*012345678' ? { token: aToken(), connectionId: '', owner: 'OWN' as const } : undefined) },
    ownEmspParties: [{ countryCode: 'DE', partyId: 'EMS' }],
    ingress: new IngressPublisher({
      async publish(event) {
        if (state.kafkaDown) throw unavailable('could not publish to gateway.partner-session.v1');
        published.push(event);
        return { id: 'event-1' };
      },
    }),
    written: { recheckAfterMs: 1, writesPending: async () => false },
  };
  const sender: SessionSenderDeps = {
    sessions: {
      async list(filter, pageRequest) {
        lists.push({ filter, page: pageRequest });
        return { items: page.slice(0, pageRequest.limit), total: 5 };
      },
      async setChargingPreferences(request) {
        preferences.push(request);
        if (state.preferencesError) throw state.preferencesError;
        return 'ACCEPTED';
      },
    },
    cpoParties,
    ownParties,
    heldElsewhere: async (keys) => keys.filter((key) => key === 'FR*EMP'),
    maxLimit: 2,
  };
  return { published, state, lists, preferences, receiver, sender };
}

async function appFor(w: ReturnType<typeof world>): Promise<FastifyInstance> {
  return ocpiTestApp([partnerCpo, partnerEmsp, twoEmsps, cpoOnly, hub], (app) => registerSessionRoutes(app, w.receiver, w.sender, PUBLIC_URL));
}

const apps: FastifyInstance[] = [];
async function setUp() {
  const w = world();
  const app = await appFor(w);
  apps.push(app);
  return { ...w, app };
}
after(async () => {
  for (const app of apps) await app.close();
});

const RECEIVER = '/ocpi/2.2.1/emsp/sessions/DE/ABC/SESSION1';
const body = (response: { body: string }) => JSON.parse(response.body) as { status_code: number; status_message?: string; data?: unknown };

describe('sessions, eMSP Receiver routes', () => {
  test('PUT of a session of our token: 1000 after Kafka acknowledged the PartnerSessionWrite', async () => {
    const { app, published } = await setUp();
    const response = await app.inject({ method: 'PUT', url: `${RECEIVER}/`, headers: { ...authAs(partnerCpo), 'x-correlation-id': 'corr-7' }, payload: { ...aSession(), id: 'session1', meter_id: null } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(body(response).status_code, 1000, response.body);
    assert.equal(published.length, 1, 'one event');
    const event = published[0]!;
    assert.equal(event.topic.name, 'gateway.partner-session.v1');
    assert.equal(event.key, 'DE*ABC*SESSION1', 'keyed by the CPO party and session id');
    assert.equal(event.type, 'voltmesh.sessions.v1.PartnerSessionWrite');
    assert.equal(event.partner, 'cpo-conn');
    assert.equal(event.correlationId, 'corr-7');
    const write = sessionEvents.PartnerSessionWrite.decode(event.value);
    assert.equal(write.connectionId, 'cpo-conn');
    assert.deepEqual(write.party, { countryCode: 'DE', partyId: 'ABC' });
    assert.equal(write.sessionId, 'SESSION1');
    assert.equal(write.method, objects.WriteMethod.WRITE_METHOD_PUT);
    assert.deepEqual(JSON.parse(write.ocpiJson), JSON.parse(JSON.stringify(sessionSchema.parse(aSession()))), 'the validated session, normalised');
    assert.ok(Date.now() - Date.parse(write.receivedAt) < 60_000, `received_at is now: ${write.receivedAt}`);
  });

  test('refused PUTs: HTTP and OCPI status per case, the message names the field, nothing published', async () => {
    const cases: Array<[string, string, unknown, number, number, RegExp]> = [
      ['a missing field', RECEIVER, { ...aSession(), currency: undefined }, 200, 2001, /^currency:/],
      ['an id that is not the URL’s', '/ocpi/2.2.1/emsp/sessions/DE/ABC/OTHER', aSession(), 200, 2001, /^id: body has "SESSION1" but the URL says "OTHER"/],
      ['another party in the URL', '/ocpi/2.2.1/emsp/sessions/NL/VLT/SESSION1', aSession({ country_code: 'NL', party_id: 'VLT' }), 404, 2000, /NL\*VLT is not one of your roles/],
      ['a token not ours', RECEIVER, aSession({ cdr_token: aCdrToken({ uid: 'STRANGER' }) }), 200, 2001, /^cdr_token: token STRANGER \(RFID\) of DE\*EMS is not a token of ours/],
    ];
    for (const [what, url, payload, http, status, pattern] of cases) {
      const { app, published } = await setUp();
      const response = await app.inject({ method: 'PUT', url, headers: authAs(partnerCpo), payload: payload as object });
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, status, `${what}: ${response.body}`);
      assert.match(body(response).status_message ?? '', pattern, what);
      assert.equal(published.length, 0, `${what}: nothing published`);
    }
  });

  test('a body that is not JSON is HTTP 400; no credentials are HTTP 401', async () => {
    const { app, published } = await setUp();
    const broken = await app.inject({ method: 'PUT', url: RECEIVER, headers: { ...authAs(partnerCpo), 'content-type': 'application/json' }, payload: '{"id":' });
    assert.equal(broken.statusCode, 400, broken.body);
    assert.equal(body(broken).status_code, 2001, broken.body);
    const anonymous = await app.inject({ method: 'PUT', url: RECEIVER, payload: aSession() });
    assert.equal(anonymous.statusCode, 401, anonymous.body);
    assert.equal(published.length, 0, 'nothing published');
  });

  test('Kafka not acknowledging: HTTP 503 with 3000, so the CPO retries', async () => {
    const { app, state } = await setUp();
    state.kafkaDown = true;
    const response = await app.inject({ method: 'PUT', url: RECEIVER, headers: authAs(partnerCpo), payload: aSession() });
    assert.equal(response.statusCode, 503, response.body);
    assert.equal(body(response).status_code, 3000, response.body);
  });

  test('PATCH appending a period: the sent fields are published as a PATCH', async () => {
    const { app, published, state } = await setUp();
    state.stored = { session: sessionSchema.parse(aSession()), connectionId: 'cpo-conn' };
    const patch = { charging_periods: [aChargingPeriod({ start_date_time: '2026-01-01T10:15:00Z' })], kwh: 12, last_updated: '2026-01-01T10:16:00Z' };
    const response = await app.inject({ method: 'PATCH', url: RECEIVER, headers: authAs(partnerCpo), payload: patch });
    assert.equal(body(response).status_code, 1000, response.body);
    const write = sessionEvents.PartnerSessionWrite.decode(published[0]!.value);
    assert.equal(write.method, objects.WriteMethod.WRITE_METHOD_PATCH);
    assert.deepEqual(JSON.parse(write.ocpiJson), {
      charging_periods: [{ ...aChargingPeriod(), start_date_time: '2026-01-01T10:15:00.000Z' }],
      kwh: 12,
      last_updated: '2026-01-01T10:16:00.000Z',
    });
  });

  test('refused PATCHes: unknown (or another connection’s) session is HTTP 404 with 2001; rule breaks are 2001; nothing published', async () => {
    const mine = { session: sessionSchema.parse(aSession()), connectionId: 'cpo-conn' };
    const cases: Array<[string, StoredSession | undefined, unknown, number, RegExp]> = [
      ['unknown session', undefined, { kwh: 1, last_updated: '2026-01-01T10:16:00Z' }, 404, /^unknown session SESSION1 of DE\*ABC$/],
      ['another connection’s session', { ...mine, connectionId: 'someone-else' }, { kwh: 1, last_updated: '2026-01-01T10:16:00Z' }, 404, /^unknown session SESSION1 of DE\*ABC$/],
      ['no last_updated', mine, { kwh: 1 }, 200, /^last_updated:/],
      ['an overlapping period', mine, { charging_periods: [aChargingPeriod()], last_updated: '2026-01-01T10:16:00Z' }, 200, /^charging_periods\[0\]\.start_date_time: .*out of order or overlapping/],
      ['another currency', mine, { currency: 'USD', last_updated: '2026-01-01T10:16:00Z' }, 200, /^currency: currency mismatch/],
      ['a token not ours', mine, { cdr_token: aCdrToken({ uid: 'STRANGER' }), last_updated: '2026-01-01T10:16:00Z' }, 200, /^cdr_token: .*is not a token of ours/],
    ];
    for (const [what, stored, payload, http, pattern] of cases) {
      const { app, published, state } = await setUp();
      state.stored = stored;
      const response = await app.inject({ method: 'PATCH', url: RECEIVER, headers: authAs(partnerCpo), payload: payload as object });
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, 2001, `${what}: ${response.body}`);
      assert.match(body(response).status_message ?? '', pattern, what);
      assert.equal(published.length, 0, `${what}: nothing published`);
    }
  });

  test('the sessions service down during a PATCH: HTTP 503 with 3000, nothing published', async () => {
    const { app, published, state } = await setUp();
    state.sessionsDown = true;
    const response = await app.inject({ method: 'PATCH', url: RECEIVER, headers: authAs(partnerCpo), payload: { kwh: 1, last_updated: '2026-01-01T10:16:00Z' } });
    assert.equal(response.statusCode, 503, response.body);
    assert.equal(body(response).status_code, 3000, response.body);
    assert.equal(published.length, 0, 'nothing published');
  });

  test('GET reads back a session this connection pushed; otherwise HTTP 404 with 2001', async () => {
    const { app, state } = await setUp();
    state.stored = { session: sessionSchema.parse(aSession()), connectionId: 'cpo-conn' };
    const found = await app.inject({ method: 'GET', url: RECEIVER, headers: authAs(partnerCpo) });
    assert.equal(found.statusCode, 200, found.body);
    assert.equal((body(found).data as Session).id, 'SESSION1');
    state.stored = { ...state.stored, connectionId: 'someone-else' };
    const hidden = await app.inject({ method: 'GET', url: RECEIVER, headers: authAs(partnerCpo) });
    assert.equal(hidden.statusCode, 404, hidden.body);
    assert.equal(body(hidden).status_code, 2001, hidden.body);
  });

  test('other methods of a served module, and modules we do not have, are unknown endpoints (404 with 2000), not 501', async () => {
    const { app } = await setUp();
    const deleted = await app.inject({ method: 'DELETE', url: RECEIVER, headers: authAs(partnerCpo) });
    assert.equal(deleted.statusCode, 404, deleted.body);
    assert.equal(body(deleted).status_code, 2000, deleted.body);
    const unknown = await app.inject({ method: 'GET', url: '/ocpi/2.2.1/cpo/parking/S1', headers: authAs(partnerCpo) });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(body(unknown).status_code, 2000, unknown.body);
  });
});

describe('sessions, CPO Sender routes', () => {
  const LIST = '/ocpi/2.2.1/cpo/sessions';

  test('a page of our CPO sessions of the caller’s tokens, with the paging headers of our other lists', async () => {
    const { app, lists } = await setUp();
    const response = await app.inject({ method: 'GET', url: `${LIST}?date_from=2026-01-01T00:00:00Z&offset=1&limit=10`, headers: authAs(partnerEmsp) });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual((body(response).data as Session[]).map((s) => s.id), ['S1', 'S2']);
    assert.deepEqual(lists, [{ filter: { role: 'CPO', emsp: { countryCode: 'FR', partyId: 'EMP' } }, page: { offset: 1, limit: 2, dateFrom: '2026-01-01T00:00:00.000Z' } }]);
    assert.equal(response.headers['x-total-count'], '5');
    assert.equal(response.headers['x-limit'], '2');
    assert.equal(response.headers['link'], `<${PUBLIC_URL}${LIST}?date_from=2026-01-01T00%3A00%3A00Z&offset=3&limit=2>; rel="next"`);
  });

  test('date_from is required (OCPI 2.2.1 §6.1); a malformed one names the field', async () => {
    const { app, lists } = await setUp();
    const missing = await app.inject({ method: 'GET', url: LIST, headers: authAs(partnerEmsp) });
    assert.equal(missing.statusCode, 200, missing.body);
    assert.equal(body(missing).status_code, 2001, missing.body);
    assert.match(body(missing).status_message ?? '', /date_from is required/);
    const malformed = await app.inject({ method: 'GET', url: `${LIST}?date_from=yesterday`, headers: authAs(partnerEmsp) });
    assert.match(body(malformed).status_message ?? '', /^date_from:/);
    assert.equal(lists.length, 0, 'the service was not asked');
  });

  test('OCPI-to-* narrows to that CPO party of ours; one not ours is 2001', async () => {
    const { app, lists } = await setUp();
    const narrowed = await app.inject({ method: 'GET', url: `${LIST}?date_from=2026-01-01T00:00:00Z`, headers: { ...authAs(partnerEmsp), 'ocpi-to-country-code': 'nl', 'ocpi-to-party-id': 'vl2' } });
    assert.equal(body(narrowed).status_code, 1000, narrowed.body);
    assert.deepEqual(lists[0]?.filter, { role: 'CPO', emsp: { countryCode: 'FR', partyId: 'EMP' }, cpo: { countryCode: 'NL', partyId: 'VL2' } });
    const foreign = await app.inject({ method: 'GET', url: `${LIST}?date_from=2026-01-01T00:00:00Z`, headers: { ...authAs(partnerEmsp), 'ocpi-to-country-code': 'DE', 'ocpi-to-party-id': 'ABC' } });
    assert.equal(body(foreign).status_code, 2001, foreign.body);
    assert.match(body(foreign).status_message ?? '', /ocpi-to-party-id: DE\*ABC is not one of our CPO parties/);
  });

  test('whose sessions: the caller’s eMSP role; a named one of several; a hub names its eMSP; a CPO-only partner gets 404', async () => {
    const url = `${LIST}?date_from=2026-01-01T00:00:00Z`;
    const from = (cc: string, pid: string) => ({ 'ocpi-from-country-code': cc, 'ocpi-from-party-id': pid });
    const cases: Array<[string, Record<string, string>, number, number, RegExp | { countryCode: string; partyId: string }]> = [
      ['several eMSP roles, none named', authAs(twoEmsps), 200, 2001, /ocpi-from-party-id: required, your credentials name several eMSP roles/],
      ['several eMSP roles, one named', { ...authAs(twoEmsps), ...from('be', 'em2') }, 200, 1000, { countryCode: 'BE', partyId: 'EM2' }],
      ['an eMSP naming a party not its own', { ...authAs(partnerEmsp), ...from('BE', 'EM1') }, 200, 2001, /BE\*EM1 is not one of your eMSP roles/],
      ['a hub naming no eMSP', authAs(hub), 200, 2001, /a hub must name the eMSP it asks for/],
      ['a hub naming itself', { ...authAs(hub), ...from('EU', 'HUB') }, 200, 2001, /is the hub itself/],
      ['a hub naming our own eMSP', { ...authAs(hub), ...from('DE', 'EMS') }, 200, 2001, /DE\*EMS is one of our own parties/],
      ['a hub naming a party connected to us directly', { ...authAs(hub), ...from('FR', 'EMP') }, 200, 2001, /FR\*EMP is not a party you may ask for/],
      ['a hub naming an eMSP behind it', { ...authAs(hub), ...from('IT', 'EMI') }, 200, 1000, { countryCode: 'IT', partyId: 'EMI' }],
      ['a CPO-only partner', authAs(cpoOnly), 404, 2000, /sessions are served to eMSPs/],
    ];
    for (const [what, headers, http, status, expected] of cases) {
      const { app, lists } = await setUp();
      const response = await app.inject({ method: 'GET', url, headers });
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, status, `${what}: ${response.body}`);
      if (expected instanceof RegExp) {
        assert.match(body(response).status_message ?? '', expected, what);
        assert.equal(lists.length, 0, `${what}: the service was not asked`);
      } else {
        assert.deepEqual(lists[0]?.filter.emsp, expected, what);
      }
    }
  });

  test('PUT charging_preferences: the session service’s answer is the data; our first CPO party unless OCPI-to-* names one', async () => {
    const { app, preferences } = await setUp();
    const url = '/ocpi/2.2.1/cpo/sessions/s1/charging_preferences';
    const payload = { profile_type: 'FAST', departure_time: '2026-01-01T18:00:00Z', energy_need: 20 };
    const first = await app.inject({ method: 'PUT', url, headers: authAs(partnerEmsp), payload });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual({ status: body(first).status_code, data: body(first).data }, { status: 1000, data: 'ACCEPTED' });
    assert.deepEqual(preferences[0], {
      cpo: { countryCode: 'NL', partyId: 'VLT' },
      sessionId: 's1',
      connectionId: 'emsp-conn',
      emsp: { countryCode: 'FR', partyId: 'EMP' },
      preferences: { profile_type: 'FAST', departure_time: '2026-01-01T18:00:00.000Z', energy_need: 20 },
    });
    await app.inject({ method: 'PUT', url, headers: { ...authAs(partnerEmsp), 'ocpi-to-country-code': 'NL', 'ocpi-to-party-id': 'VL2' }, payload });
    assert.deepEqual(preferences[1]?.cpo, { countryCode: 'NL', partyId: 'VL2' });
  });

  test('PUT charging_preferences refusals: body 2001; unknown session and incapable EVSE HTTP 404 with 2001; service down 503', async () => {
    const url = '/ocpi/2.2.1/cpo/sessions/S1/charging_preferences';
    const cases: Array<[string, unknown, AppError | undefined, number, number, RegExp, number]> = [
      ['an invalid profile_type', { profile_type: 'TURBO' }, undefined, 200, 2001, /^profile_type:/, 0],
      ['an unknown session', { profile_type: 'FAST' }, new AppError('NOT_FOUND', 'no session NL*VLT*S1'), 404, 2001, /^unknown session S1$/, 1],
      ['another eMSP’s session', { profile_type: 'FAST' }, new AppError('PERMISSION_DENIED', 'not your session'), 404, 2001, /^unknown session S1$/, 1],
      ['an EVSE without CHARGING_PREFERENCES_CAPABLE', { profile_type: 'FAST' }, new AppError('FAILED_PRECONDITION', 'EVSE EVSE-1 is not CHARGING_PREFERENCES_CAPABLE'), 404, 2001, /^EVSE EVSE-1 is not CHARGING_PREFERENCES_CAPABLE$/, 1],
      ['the sessions service down', { profile_type: 'FAST' }, unavailable('sessions: deadline'), 503, 3000, /retry later/, 1],
    ];
    for (const [what, payload, failure, http, status, pattern, calls] of cases) {
      const { app, preferences, state } = await setUp();
      state.preferencesError = failure;
      const response = await app.inject({ method: 'PUT', url, headers: authAs(partnerEmsp), payload: payload as object });
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, status, `${what}: ${response.body}`);
      assert.match(body(response).status_message ?? '', pattern, what);
      assert.equal(preferences.length, calls, `${what}: calls to the sessions service`);
    }
  });
});
