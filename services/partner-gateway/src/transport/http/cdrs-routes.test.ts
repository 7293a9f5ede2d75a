import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AppError, unavailable } from '@voltmesh/errors';
import { cdrSchema, type Cdr } from '@voltmesh/ocpi';
import { aCdr, aCdrToken, aToken } from '@voltmesh/testing';
import type { CdrFilter, PartnerCdr, StoredCdr } from '../../adapters/billing-client.js';
import type { CdrReceiverDeps } from '../../application/receivers/receive-cdr.js';
import type { CdrSenderDeps } from '../../application/senders/list-cdrs.js';
import { registerCdrRoutes } from './cdrs-routes.js';
import { aPartner, authAs, ocpiTestApp } from './route-test-harness.js';

const PUBLIC_URL = 'https://ocpi.voltmesh.example';
const cpoParties = [{ countryCode: 'NL', partyId: 'VLT' }];
const ownParties = [
  { role: 'CPO', countryCode: 'NL', partyId: 'VLT' },
  { role: 'EMSP', countryCode: 'DE', partyId: 'EMS' },
];
// The builders' CDR is from CPO DE*ABC, for token 012345678 of DE*EMS (our eMSP here).
const partnerCpo = aPartner('cpo-conn', [['CPO', 'DE', 'ABC']]);
const partnerEmsp = aPartner('emsp-conn', [['EMSP', 'FR', 'EMP']]);

/** Billing and the authorization service standing in, recording what reached them. */
function world() {
  const held: StoredCdr[] = [];
  const received: PartnerCdr[] = [];
  const lists: Array<{ filter: CdrFilter; page: { offset: number; limit: number; dateFrom?: string; dateTo?: string } }> = [];
  const state = { billingError: undefined as AppError | undefined };
  const receiver: CdrReceiverDeps = {
    billing: {
      async receive(request) {
        received.push(request);
        if (state.billingError) throw state.billingError;
        if (held.some((stored) => stored.cdr.id === request.cdr.id)) return 'ALREADY_EXISTS';
        // Billing stores the JSON it was sent and reads it back through our schema.
        held.push({ cdr: cdrSchema.parse(JSON.parse(JSON.stringify(request.cdr))), connectionId: request.connectionId });
        return 'STORED';
      },
      get: async (_role, party, id) => held.find((stored) => `${stored.cdr.country_code}*${stored.cdr.party_id}*${stored.cdr.id}` === `${party.countryCode}*${party.partyId}*${id}`.toUpperCase()),
    },
    tokens: { get: async (cc, pid, uid) => (`${cc}*${pid}*${uid}` === 'DE*EMS*012345678' ? { token: aToken(), connectionId: '', owner: 'OWN' as const } : undefined) },
    ownEmspParties: [{ countryCode: 'DE', partyId: 'EMS' }],
    publicUrl: PUBLIC_URL,
  };
  const sender: CdrSenderDeps = {
    billing: {
      async list(filter, page) {
        lists.push({ filter, page });
        return { items: [cdrSchema.parse(aCdr({ country_code: 'NL', party_id: 'VLT' }))], total: 3 };
      },
    },
    cpoParties,
    ownParties,
    heldElsewhere: async () => [],
    maxLimit: 1,
  };
  return { held, received, lists, state, receiver, sender };
}

const apps: FastifyInstance[] = [];
async function setUp() {
  const w = world();
  const app = await ocpiTestApp([partnerCpo, partnerEmsp], (instance) => registerCdrRoutes(instance, w.receiver, w.sender, PUBLIC_URL));
  apps.push(app);
  return { ...w, app };
}
after(async () => {
  for (const app of apps) await app.close();
});

const POST = '/ocpi/2.2.1/emsp/cdrs';
const LOCATION = `${PUBLIC_URL}/ocpi/2.2.1/emsp/cdrs/DE/ABC/CDR1`;
const body = (response: { body: string }) => JSON.parse(response.body) as { status_code: number; status_message?: string; data?: unknown };

describe('CDRs, eMSP Receiver routes', () => {
  test('POST of a CDR of our token: stored by billing, 1000 with Location naming where to read it back', async () => {
    const { app, received } = await setUp();
    const response = await app.inject({ method: 'POST', url: `${POST}/`, headers: authAs(partnerCpo), payload: aCdr() });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(body(response).status_code, 1000, response.body);
    assert.equal(response.headers['location'], LOCATION);
    assert.equal(received.length, 1, 'billing called once');
    assert.equal(received[0]?.connectionId, 'cpo-conn');
    assert.deepEqual(received[0]?.cpo, { countryCode: 'DE', partyId: 'ABC' });
    assert.deepEqual(received[0]?.cdr, cdrSchema.parse(aCdr()));

    const readBack = await app.inject({ method: 'GET', url: new URL(LOCATION).pathname, headers: authAs(partnerCpo) });
    assert.equal(readBack.statusCode, 200, readBack.body);
    assert.deepEqual(body(readBack).data, JSON.parse(JSON.stringify(cdrSchema.parse(aCdr()))));
  });

  test('refused POSTs are 2001 naming the field, and billing is never called', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['totals that do not add up', aCdr({ total_cost: { excl_vat: 1 } }), /^total_cost: does not add up/],
      ['a CDR of another party', aCdr({ country_code: 'NL', party_id: 'VLT' }), /^country_code\/party_id: NL\*VLT is not one of your parties/],
      ['a token not ours', aCdr({ cdr_token: aCdrToken({ uid: 'STRANGER' }) }), /^cdr_token: token STRANGER \(RFID\) of DE\*EMS is not a token of ours/],
      ['no charging periods', aCdr({ charging_periods: [] }), /^charging_periods: must have at least one charging period/],
    ];
    for (const [what, payload, pattern] of cases) {
      const { app, received } = await setUp();
      const response = await app.inject({ method: 'POST', url: POST, headers: authAs(partnerCpo), payload: payload as object });
      assert.equal(response.statusCode, 200, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, 2001, `${what}: ${response.body}`);
      assert.match(body(response).status_message ?? '', pattern, what);
      assert.equal(response.headers['location'], undefined, `${what}: no Location`);
      assert.equal(received.length, 0, `${what}: billing not called`);
    }
  });

  test('the same CDR posted again: 1000 with the same Location, held once; other content under the id: 2001, the first kept', async () => {
    const { app, held } = await setUp();
    await app.inject({ method: 'POST', url: POST, headers: authAs(partnerCpo), payload: aCdr() });
    const retry = await app.inject({ method: 'POST', url: POST, headers: authAs(partnerCpo), payload: { ...aCdr(), id: 'cdr1', remark: null } });
    assert.equal(body(retry).status_code, 1000, retry.body);
    assert.equal(retry.headers['location'], LOCATION);
    const changed = await app.inject({ method: 'POST', url: POST, headers: authAs(partnerCpo), payload: aCdr({ total_energy: 12 }) });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(body(changed).status_code, 2001, changed.body);
    assert.equal(body(changed).status_message, 'CDR CDR1 of DE*ABC was already received with other content; CDRs are immutable: send a credit CDR');
    assert.equal(changed.headers['location'], undefined, 'no Location for a refused CDR');
    assert.equal(held.length, 1, 'one CDR held');
    assert.equal(held[0]?.cdr.total_energy, 10, 'the first one kept');
  });

  test('billing errors keep the gateway’s mapping: unavailable is HTTP 503 with 3000, a refusal is 2001 with billing’s message', async () => {
    const cases: Array<[AppError, number, number, RegExp]> = [
      [unavailable('billing: deadline exceeded'), 503, 3000, /retry later/],
      [new AppError('INVALID_ARGUMENT', 'ocpi_json.cdr_location.evse_uid: unknown EVSE'), 200, 2001, /^ocpi_json\.cdr_location\.evse_uid: unknown EVSE$/],
    ];
    for (const [failure, http, status, pattern] of cases) {
      const { app, state } = await setUp();
      state.billingError = failure;
      const response = await app.inject({ method: 'POST', url: POST, headers: authAs(partnerCpo), payload: aCdr() });
      assert.equal(response.statusCode, http, response.body);
      assert.equal(body(response).status_code, status, response.body);
      assert.match(body(response).status_message ?? '', pattern);
      assert.equal(response.headers['location'], undefined, 'no Location');
    }
  });

  test('GET of a CDR not posted by this connection is HTTP 404; PUT, PATCH and DELETE of a CDR are HTTP 405', async () => {
    const { app } = await setUp();
    const unknown = await app.inject({ method: 'GET', url: `${POST}/DE/ABC/NOPE`, headers: authAs(partnerCpo) });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(body(unknown).status_code, 2001, unknown.body);
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const response = await app.inject({ method, url: `${POST}/DE/ABC/CDR1`, headers: authAs(partnerCpo), payload: aCdr() });
      assert.equal(response.statusCode, 405, `${method}: ${response.body}`);
      assert.match(body(response).status_message ?? '', /CDRs are immutable/);
    }
  });
});

describe('CDRs, CPO Sender routes', () => {
  test('a page of our CDRs of the caller’s tokens, with paging headers; date_from optional', async () => {
    const { app, lists } = await setUp();
    const response = await app.inject({ method: 'GET', url: '/ocpi/2.2.1/cpo/cdrs?limit=50&date_to=2026-02-01T00:00:00Z', headers: authAs(partnerEmsp) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((body(response).data as Cdr[]).length, 1);
    assert.deepEqual(lists, [{ filter: { role: 'CPO', emsp: { countryCode: 'FR', partyId: 'EMP' } }, page: { offset: 0, limit: 1, dateTo: '2026-02-01T00:00:00.000Z' } }]);
    assert.equal(response.headers['x-total-count'], '3');
    assert.equal(response.headers['x-limit'], '1');
    assert.equal(response.headers['link'], `<${PUBLIC_URL}/ocpi/2.2.1/cpo/cdrs?limit=1&date_to=2026-02-01T00%3A00%3A00Z&offset=1>; rel="next"`);
  });

  test('a partner with no eMSP role is HTTP 404; a malformed offset names the field', async () => {
    const { app, lists } = await setUp();
    const cpo = await app.inject({ method: 'GET', url: '/ocpi/2.2.1/cpo/cdrs', headers: authAs(partnerCpo) });
    assert.equal(cpo.statusCode, 404, cpo.body);
    assert.match(body(cpo).status_message ?? '', /CDRs are served to eMSPs/);
    const malformed = await app.inject({ method: 'GET', url: '/ocpi/2.2.1/cpo/cdrs?offset=-1', headers: authAs(partnerEmsp) });
    assert.equal(body(malformed).status_code, 2001, malformed.body);
    assert.match(body(malformed).status_message ?? '', /^offset:/);
    assert.equal(lists.length, 0, 'billing not asked');
  });
});
