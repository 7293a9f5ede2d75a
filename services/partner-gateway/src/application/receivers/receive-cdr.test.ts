import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdrSchema, OcpiError, type Cdr } from '@voltmesh/ocpi';
import { aCdr, aCdrToken, aChargingPeriod, aTariff, aToken } from '@voltmesh/testing';
import type { PartnerCdr, StoredCdr } from '../../adapters/billing-client.js';
import type { StoredToken } from '../../adapters/tokens-client.js';
import type { Connection } from '../../domain/connection.js';
import { cdrUrl, readPartnerCdr, receiveCdr, type CdrReceiverDeps } from './receive-cdr.js';

// The builders' CDR: partner CPO DE*ABC, token 012345678 of DE*EMS — here our eMSP party.
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
const caller = { connection: cpo, token: 't' };
const ourToken: StoredToken = { token: aToken(), connectionId: '', owner: 'OWN' };
const RECEIVED_AT = new Date('2026-01-02T08:00:00.000Z');

/** Billing standing in: holds CDRs by CPO party and id, answers ALREADY_EXISTS for a used id. */
function receiver(held: StoredCdr[] = []) {
  const received: PartnerCdr[] = [];
  const deps: CdrReceiverDeps = {
    billing: {
      async receive(request) {
        received.push(request);
        if (held.some((stored) => stored.cdr.id === request.cdr.id)) return 'ALREADY_EXISTS';
        held.push({ cdr: request.cdr, connectionId: request.connectionId });
        return 'STORED';
      },
      get: async (role, party, id) => (role === 'EMSP' ? held.find((stored) => `${stored.cdr.country_code}*${stored.cdr.party_id}*${stored.cdr.id}` === `${party.countryCode}*${party.partyId}*${id}`.toUpperCase()) : undefined),
    },
    tokens: { get: async (cc, pid, uid, type) => (`${cc}*${pid}*${uid}*${type}` === 'DE*EMS*012345678*RFID' ? ourToken : undefined) },
    ownEmspParties: [{ countryCode: 'DE', partyId: 'EMS' }],
    publicUrl: 'https://ocpi.voltmesh.example',
    now: () => RECEIVED_AT,
  };
  return { deps, received, held };
}

const refusedWith = (status: number, http: number, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof OcpiError, String(error));
  assert.equal(error.ocpiStatus, status, error.message);
  assert.equal(error.httpStatus, http, error.message);
  assert.match(error.message, pattern);
  return true;
};
const stored = (cdr: Cdr, connectionId = cpo.id): StoredCdr => ({ cdr: cdrSchema.parse(cdr), connectionId });

describe('partner CDRs, POST (eMSP Receiver)', () => {
  test('a valid CDR of our token goes to billing with the caller, its CPO party and the time; the answer names its Location', async () => {
    const { deps, received } = receiver();
    const answer = await receiveCdr(deps, caller, { ...aCdr(), id: 'cdr1', party_id: 'abc' });
    assert.equal(answer.location, 'https://ocpi.voltmesh.example/ocpi/2.2.1/emsp/cdrs/DE/ABC/CDR1');
    assert.equal(received.length, 1, 'handed to billing once');
    assert.deepEqual(received[0], { connectionId: 'cpo-conn', cpo: { countryCode: 'DE', partyId: 'ABC' }, cdr: cdrSchema.parse(aCdr()), receivedAt: RECEIVED_AT.toISOString() });
  });

  test('each refusal names the problem and nothing reaches billing', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['totals that do not add up', aCdr({ total_cost: { excl_vat: 1, incl_vat: 1.21 } }), /^total_cost: does not add up/],
      ['periods out of order', aCdr({ charging_periods: [aChargingPeriod({ start_date_time: '2026-01-01T10:30:00Z' }), aChargingPeriod()] }), /charging_periods\[1\]\.start_date_time: .*out of order/],
      ['a tariff in another currency', aCdr({ tariffs: [aTariff({ currency: 'CHF' })] }), /^tariffs\[0\]\.currency: is CHF/],
      ['a Session-only dimension', aCdr({ charging_periods: [aChargingPeriod({ dimensions: [{ type: 'POWER', volume: 11 }] })] }), /charging_periods\[0\]\.dimensions\[0\]\.type: POWER is a Session-only dimension/],
      ['a credit CDR without its reference', aCdr({ id: 'CDR1-C', credit: true, total_cost: { excl_vat: -2.5, incl_vat: -3.025 } }), /^credit_reference_id: is required/],
      ['a CDR of another party', aCdr({ party_id: 'XYZ' }), /^country_code\/party_id: DE\*XYZ is not one of your parties/],
      ['a token of a party that is not ours', aCdr({ cdr_token: aCdrToken({ country_code: 'FR', party_id: 'OTH' }) }), /cdr_token: .* is not a token of ours: FR\*OTH is not one of our eMSP parties/],
      ['a token we never issued', aCdr({ cdr_token: aCdrToken({ uid: 'FORGED' }) }), /cdr_token: token FORGED \(RFID\) of DE\*EMS is not a token of ours/],
      ['not an object', 'CDR1', /must be a JSON object/],
    ];
    for (const [what, body, pattern] of cases) {
      const { deps, received } = receiver();
      await assert.rejects(receiveCdr(deps, caller, body), refusedWith(2001, 200, pattern), what);
      assert.equal(received.length, 0, `${what}: nothing reached billing`);
    }
  });

  test('the same CDR again (a retry after a lost answer) is 1000 with the same Location, and stored once', async () => {
    const { deps, held } = receiver([stored(aCdr())]);
    // Null optionals and lower-case ids are the same CDR once normalised.
    const again = await receiveCdr(deps, caller, { ...aCdr(), id: 'cdr1', remark: null });
    assert.equal(again.location, cdrUrl(deps.publicUrl, { countryCode: 'DE', partyId: 'ABC', cdrId: 'CDR1' }));
    assert.equal(held.length, 1, 'one CDR held');
  });

  test('another CDR under a used id is 2001 and changes nothing', async () => {
    const { deps, held } = receiver([stored(aCdr())]);
    await assert.rejects(
      receiveCdr(deps, caller, aCdr({ total_energy: 11 })),
      refusedWith(2001, 200, /^CDR CDR1 of DE\*ABC was already received with other content; CDRs are immutable: send a credit CDR$/),
    );
    assert.equal(held.length, 1, 'one CDR held');
    assert.equal(held[0]?.cdr.total_energy, 10, 'the first one kept');
  });

  test('billing saying ALREADY_EXISTS for a CDR it then cannot read is a retryable fault, not a success', async () => {
    const { deps } = receiver();
    deps.billing = { receive: async () => 'ALREADY_EXISTS', get: async () => undefined };
    await assert.rejects(receiveCdr(deps, caller, aCdr()), (error: unknown) => error instanceof Error && 'code' in error && error.code === 'UNAVAILABLE');
  });
});

describe('partner CDRs, GET (eMSP Receiver)', () => {
  test('a CDR this connection posted is read back; another connection’s or an unknown one is HTTP 404', async () => {
    const { deps } = receiver([stored(aCdr()), stored(aCdr({ id: 'CDR2' }), 'other-conn')]);
    const address = { countryCode: 'de', partyId: 'abc', cdrId: 'cdr1' };
    assert.equal((await readPartnerCdr(deps, caller, address)).id, 'CDR1');
    await assert.rejects(readPartnerCdr(deps, caller, { ...address, cdrId: 'CDR2' }), refusedWith(2001, 404, /unknown CDR CDR2 of DE\*ABC/));
    await assert.rejects(readPartnerCdr(deps, caller, { ...address, cdrId: 'NOPE' }), refusedWith(2001, 404, /unknown CDR NOPE/));
    await assert.rejects(readPartnerCdr(deps, caller, { ...address, partyId: 'XYZ' }), refusedWith(2000, 404, /not one of your roles/));
  });

  test('the Location URL encodes each segment', () => {
    assert.equal(cdrUrl('https://x.example', { countryCode: 'de', partyId: 'abc', cdrId: 'a/b c' }), 'https://x.example/ocpi/2.2.1/emsp/cdrs/DE/ABC/A%2FB%20C');
  });
});
