import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unavailable } from '@voltmesh/errors';
import { OcpiError, sessionSchema, type Session } from '@voltmesh/ocpi';
import { aChargingPeriod, aCdrToken, aSession, aToken } from '@voltmesh/testing';
import type { StoredSession } from '../../adapters/sessions-client.js';
import type { StoredToken } from '../../adapters/tokens-client.js';
import type { Connection } from '../../domain/connection.js';
import { readPartnerSession, receiveSessionWrite, type SessionReceiverDeps, type SessionWrite } from './receive-session.js';

// The builders' session: partner CPO DE*ABC, token 012345678 of DE*EMS — here our eMSP party.
const cpo: Connection = {
  id: 'cpo-conn',
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [{ role: 'CPO', countryCode: 'DE', partyId: 'ABC', businessName: 'Test CPO' }],
  endpoints: [],
  createdAt: new Date(),
  updatedAt: new Date(),
};
const caller = { connection: cpo, token: 't', correlationId: 'corr-1' };
const at = { countryCode: 'de', partyId: 'abc', sessionId: 'session1' };
const ourToken: StoredToken = { token: aToken(), connectionId: '', owner: 'OWN' };

/** A receiver whose collaborators record what reached them: nothing may be published on a refusal. */
function receiver(stored: StoredSession | undefined = undefined, overrides: Partial<SessionReceiverDeps> = {}) {
  const published: Array<{ connectionId: string; write: SessionWrite; correlationId: string | undefined }> = [];
  const lookups: string[] = [];
  const deps: SessionReceiverDeps = {
    sessions: {
      async get(role, party, id) {
        lookups.push(`${role} ${party.countryCode}*${party.partyId}*${id}`);
        return stored;
      },
    },
    tokens: { get: async (cc, pid, uid, type) => (`${cc}*${pid}*${uid}*${type}` === 'DE*EMS*012345678*RFID' ? ourToken : undefined) },
    ownEmspParties: [{ countryCode: 'DE', partyId: 'EMS' }],
    ingress: {
      async sessionWrite(connectionId, write, correlationId) {
        published.push({ connectionId, write, correlationId });
      },
    },
    written: { recheckAfterMs: 1, writesPending: async () => false },
    ...overrides,
  };
  return { deps, published, lookups };
}

const storedSession = (overrides: Partial<Session> = {}, connectionId = cpo.id): StoredSession => ({ session: sessionSchema.parse(aSession(overrides)), connectionId });
const refusedWith = (status: number, http: number, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof OcpiError, String(error));
  assert.equal(error.ocpiStatus, status, error.message);
  assert.equal(error.httpStatus, http, error.message);
  assert.match(error.message, pattern);
  return true;
};

describe('partner sessions, PUT (eMSP Receiver)', () => {
  test('a valid session of our token is published as a PUT of the validated session, ids compared case-insensitively', async () => {
    const { deps, published } = receiver();
    await receiveSessionWrite(deps, caller, 'PUT', at, aSession());
    assert.equal(published.length, 1, 'one event');
    const [event] = published;
    assert.equal(event?.connectionId, 'cpo-conn');
    assert.equal(event?.correlationId, 'corr-1');
    assert.equal(event?.write.method, 'PUT');
    if (event?.write.method === 'PUT') assert.deepEqual(event.write.object, sessionSchema.parse(aSession()));
  });

  test('each refusal names the problem and publishes nothing', async () => {
    const cases: Array<[string, unknown, number, number, RegExp, Partial<typeof at>?]> = [
      ['a field missing', { ...aSession(), kwh: undefined }, 2001, 200, /^kwh:/],
      ['periods out of order', aSession({ charging_periods: [aChargingPeriod({ start_date_time: '2026-01-01T10:30:00Z' }), aChargingPeriod()] }), 2001, 200, /charging_periods\[1\]\.start_date_time: .*out of order or overlapping/],
      ['URL id differs from the body', aSession(), 2001, 200, /^id: body has "SESSION1" but the URL says "OTHER"/, { sessionId: 'OTHER' }],
      ['another party in the URL', aSession(), 2000, 404, /NL\*VLT is not one of your roles/, { countryCode: 'NL', partyId: 'VLT' }],
      ['a token of a party that is not ours', aSession({ cdr_token: aCdrToken({ party_id: 'XYZ' }) }), 2001, 200, /cdr_token: .* is not a token of ours: DE\*XYZ is not one of our eMSP parties/],
      ['a token of our party we never issued', aSession({ cdr_token: aCdrToken({ uid: 'FORGED' }) }), 2001, 200, /cdr_token: token FORGED \(RFID\) of DE\*EMS is not a token of ours/],
      ['not an object', [aSession()], 2001, 200, /must be a JSON object/],
    ];
    for (const [what, body, status, http, pattern, address] of cases) {
      const { deps, published } = receiver();
      await assert.rejects(receiveSessionWrite(deps, caller, 'PUT', { ...at, ...address }, body), refusedWith(status, http, pattern), what);
      assert.equal(published.length, 0, `${what}: nothing published`);
    }
  });

  test('a token the authorization service holds as a partner token is not ours', async () => {
    const { deps, published } = receiver(undefined, { tokens: { get: async () => ({ ...ourToken, owner: 'PARTNER', connectionId: 'x' }) } });
    await assert.rejects(receiveSessionWrite(deps, caller, 'PUT', at, aSession()), refusedWith(2001, 200, /not a token of ours/));
    assert.equal(published.length, 0, 'nothing published');
  });

  test('Kafka not acknowledging is the publisher’s error, passed on (the HTTP edge answers 3000)', async () => {
    const down = unavailable('could not publish to gateway.partner-session.v1');
    const { deps } = receiver(undefined, { ingress: { sessionWrite: async () => Promise.reject(down) } });
    await assert.rejects(receiveSessionWrite(deps, caller, 'PUT', at, aSession()), (error: unknown) => error === down);
  });
});

describe('partner sessions, PATCH (eMSP Receiver)', () => {
  const later = aChargingPeriod({ start_date_time: '2026-01-01T10:30:00Z' });

  test('only the fields sent are published, with last_updated; appended periods after the stored last one pass', async () => {
    const { deps, published, lookups } = receiver(storedSession());
    await receiveSessionWrite(deps, caller, 'PATCH', at, { kwh: 12.5, charging_periods: [later], last_updated: '2026-01-01T10:31:00Z' });
    assert.deepEqual(lookups, ['EMSP de*abc*session1'], 'the stored session is read in the eMSP role');
    assert.equal(published.length, 1, 'one event');
    const write = published[0]?.write;
    assert.equal(write?.method, 'PATCH');
    if (write?.method === 'PATCH') {
      assert.deepEqual(Object.keys(write.patch).sort(), ['charging_periods', 'kwh', 'last_updated']);
      assert.equal(write.patch.last_updated, '2026-01-01T10:31:00.000Z');
      assert.equal(write.patch.charging_periods?.[0]?.start_date_time, '2026-01-01T10:30:00.000Z');
    }
  });

  test('each refusal names the problem and publishes nothing', async () => {
    const cases: Array<[string, StoredSession | undefined, unknown, number, number, RegExp]> = [
      ['no last_updated', storedSession(), { kwh: 3 }, 2001, 200, /^last_updated:/],
      ['a period starting with the stored last one', storedSession(), { charging_periods: [aChargingPeriod()], last_updated: '2026-01-01T10:31:00Z' }, 2001, 200, /charging_periods\[0\]\.start_date_time: .*out of order or overlapping/],
      ['a period before the stored last one', storedSession(), { charging_periods: [aChargingPeriod({ start_date_time: '2026-01-01T09:00:00Z' })], last_updated: '2026-01-01T10:31:00Z' }, 2001, 200, /charging_periods\[0\]\.start_date_time: .*out of order or overlapping/],
      ['appended periods out of order among themselves', storedSession(), { charging_periods: [later, aChargingPeriod({ start_date_time: '2026-01-01T10:20:00Z' })], last_updated: '2026-01-01T10:31:00Z' }, 2001, 200, /charging_periods\[1\]\.start_date_time/],
      ['another currency', storedSession(), { currency: 'CHF', last_updated: '2026-01-01T10:31:00Z' }, 2001, 200, /^currency: currency mismatch: session SESSION1 is in EUR, this PATCH says CHF/],
      ['a cdr_token change to a token not ours', storedSession(), { cdr_token: aCdrToken({ uid: 'OTHER' }), last_updated: '2026-01-01T10:31:00Z' }, 2001, 200, /cdr_token: token OTHER .* is not a token of ours/],
      ['an id in the body that is not the URL’s', storedSession(), { id: 'SESSION2', last_updated: '2026-01-01T10:31:00Z' }, 2001, 200, /^id: body has "SESSION2"/],
      ['an unknown session', undefined, { kwh: 3, last_updated: '2026-01-01T10:31:00Z' }, 2001, 404, /unknown session session1 of DE\*ABC/],
      ['a session another connection pushed: answered as unknown', storedSession({}, 'other-conn'), { kwh: 3, last_updated: '2026-01-01T10:31:00Z' }, 2001, 404, /unknown session session1 of DE\*ABC/],
    ];
    for (const [what, stored, body, status, http, pattern] of cases) {
      const { deps, published } = receiver(stored);
      await assert.rejects(receiveSessionWrite(deps, caller, 'PATCH', at, body), refusedWith(status, http, pattern), what);
      assert.equal(published.length, 0, `${what}: nothing published`);
    }
  });

  test('a session missing at first is looked up once more (its PUT may still be in Kafka)', async () => {
    const { deps, published } = receiver();
    let calls = 0;
    deps.sessions = { get: async () => (++calls === 1 ? undefined : storedSession()) };
    await receiveSessionWrite(deps, caller, 'PATCH', at, { status: 'COMPLETED', last_updated: '2026-01-01T11:00:00Z' });
    assert.equal(calls, 2, 'looked up twice');
    assert.equal(published.length, 1, 'then published');
  });

  test('a PATCH whose periods are the whole list (2.1.1) restates stored ones and is published to replace them', async () => {
    const { deps, published } = receiver(storedSession());
    const whole = { charging_periods: [aChargingPeriod(), later], last_updated: '2026-01-01T10:31:00Z' };
    await assert.rejects(receiveSessionWrite(deps, caller, 'PATCH', at, whole), refusedWith(2001, 200, /out of order or overlapping/), 'appended, the stored period is a conflict');
    await receiveSessionWrite(deps, caller, 'PATCH', at, whole, { replacePeriods: true });
    const write = published[0]?.write;
    assert.ok(write?.method === 'PATCH' && write.replacePeriods === true, 'published to replace the stored periods');
    assert.equal(write.patch.charging_periods?.length, 2, 'the whole list');
    await assert.rejects(receiveSessionWrite(deps, caller, 'PATCH', at, { currency: 'CHF', last_updated: '2026-01-01T10:31:00Z' }, { replacePeriods: true }), refusedWith(2001, 200, /currency mismatch/), 'other checks stay');
  });

  test('the same currency and a token of ours may be sent again', async () => {
    const { deps, published } = receiver(storedSession());
    await receiveSessionWrite(deps, caller, 'PATCH', at, { currency: 'EUR', cdr_token: aCdrToken(), last_updated: '2026-01-01T10:31:00Z' });
    assert.equal(published.length, 1, 'published');
  });
});

describe('partner sessions, GET (eMSP Receiver)', () => {
  test('a session this connection pushed is read back; another connection’s is unknown (HTTP 404, 2001)', async () => {
    const mine = receiver(storedSession());
    assert.equal((await readPartnerSession(mine.deps, caller, at)).id, 'SESSION1');
    const theirs = receiver(storedSession({}, 'other-conn'));
    await assert.rejects(readPartnerSession(theirs.deps, caller, at), refusedWith(2001, 404, /unknown session/));
    const none = receiver();
    await assert.rejects(readPartnerSession(none.deps, caller, at), refusedWith(2001, 404, /unknown session/));
    await assert.rejects(readPartnerSession(mine.deps, caller, { ...at, partyId: 'XXX' }), refusedWith(2000, 404, /not one of your roles/));
  });
});
