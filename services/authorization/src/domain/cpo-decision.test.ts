import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Token } from '@voltmesh/ocpi';
import { aToken } from '@voltmesh/testing';
import { asksEmsp, chooseToken, decidePartnerToken, type EmspOutcome } from './cpo-decision.js';

type Whitelist = Token['whitelist'];
const token = (whitelist: Whitelist, valid = true): Token => aToken({ whitelist, valid });
const noAnswer: EmspOutcome = { kind: 'NO_ANSWER', reason: 'timeout' };
const unknown: EmspOutcome = { kind: 'UNKNOWN_TOKEN' };
const answered = (allowed: 'ALLOWED' | 'BLOCKED' | 'NO_CREDIT', reference?: string): EmspOutcome => ({
  kind: 'ANSWERED',
  info: { allowed, token: aToken(), location: { location_id: 'LOC1', evse_uids: ['E2'] }, ...(reference ? { authorization_reference: reference } : {}) },
});
const decide = (whitelist: Whitelist, outcome: EmspOutcome | undefined, valid = true) => {
  const decision = decidePartnerToken(token(whitelist, valid), outcome);
  return [decision.allowed, decision.decidedBy];
};

describe("our CPO deciding on a partner eMSP's token", () => {
  test('every whitelist but ALWAYS asks the eMSP', () => {
    assert.deepEqual((['ALWAYS', 'ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'] as const).map((whitelist) => asksEmsp(token(whitelist))), [false, true, true, true]);
  });

  test('ALWAYS is decided locally by validity', () => {
    assert.deepEqual(decide('ALWAYS', undefined), ['ALLOWED', 'LOCAL']);
    assert.deepEqual(decide('ALWAYS', undefined, false), ['BLOCKED', 'LOCAL']);
  });

  test("the eMSP's answer decides whatever we hold, even for a token we hold as invalid", () => {
    for (const whitelist of ['ALLOWED', 'ALLOWED_OFFLINE', 'NEVER'] as const) {
      assert.deepEqual(decide(whitelist, answered('NO_CREDIT')), ['NO_CREDIT', 'EMSP'], whitelist);
      assert.deepEqual(decide(whitelist, answered('ALLOWED'), false), ['ALLOWED', 'EMSP'], whitelist);
      assert.deepEqual(decide(whitelist, unknown), ['NOT_ALLOWED', 'EMSP'], whitelist);
    }
  });

  test('without an answer the whitelist decides', () => {
    assert.deepEqual(decide('ALLOWED', noAnswer), ['ALLOWED', 'FALLBACK']);
    assert.deepEqual(decide('ALLOWED', noAnswer, false), ['BLOCKED', 'FALLBACK']);
    assert.deepEqual(decide('ALLOWED_OFFLINE', noAnswer), ['ALLOWED', 'FALLBACK']);
    assert.deepEqual(decide('ALLOWED_OFFLINE', noAnswer, false), ['BLOCKED', 'FALLBACK']);
    assert.deepEqual(decide('NEVER', noAnswer), ['NOT_ALLOWED', 'FALLBACK']);
  });

  test("the eMSP's reference, EVSEs and token are kept; none is made up when it gave none", () => {
    const decision = decidePartnerToken(token('NEVER'), answered('ALLOWED', 'EMSP-REF-1'));
    assert.equal(decision.reference, 'EMSP-REF-1');
    assert.deepEqual(decision.location?.evse_uids, ['E2']);
    assert.equal(decision.token?.uid, aToken().uid);
    assert.equal(decidePartnerToken(token('NEVER'), answered('ALLOWED')).reference, undefined);
  });

  test('when several eMSPs issued the uid: our own first, then a valid one, then the newest', () => {
    const candidate = (name: string, owner: 'OWN' | 'PARTNER', valid: boolean, day: string) => ({ name, owner, token: aToken({ valid, last_updated: `2026-05-${day}T00:00:00.000Z` }) });
    const pick = (...candidates: ReturnType<typeof candidate>[]) => chooseToken(candidates)?.name;
    assert.equal(pick(candidate('partner', 'PARTNER', true, '20'), candidate('ours', 'OWN', false, '01')), 'ours');
    assert.equal(pick(candidate('blocked', 'PARTNER', false, '20'), candidate('valid', 'PARTNER', true, '01')), 'valid');
    assert.equal(pick(candidate('old', 'PARTNER', true, '01'), candidate('new', 'PARTNER', true, '20')), 'new');
    assert.equal(pick(), undefined);
  });
});
