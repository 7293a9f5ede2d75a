import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aToken } from '@voltmesh/testing';
import { decideOwnToken, displayTextFor } from './own-decision.js';
import type { TokenAccount } from './stored-token.js';

const now = new Date('2026-05-10T12:00:00.000Z');
const account = (overrides: Partial<TokenAccount> = {}): TokenAccount => ({ no_credit: false, allowed_cpo_parties: [], ...overrides });
const ours = aToken({ country_code: 'NL', party_id: 'VLM' });

describe('our eMSP deciding on its own token', () => {
  test('a valid token without account rules is ALLOWED', () => {
    assert.equal(decideOwnToken({ token: ours }, 'DE*CPO', now), 'ALLOWED');
    assert.equal(decideOwnToken({ token: ours, account: account() }, undefined, now), 'ALLOWED');
  });

  test('rules apply in order: BLOCKED before EXPIRED before NO_CREDIT before NOT_ALLOWED', () => {
    const everything = account({ valid_until: '2026-05-01T00:00:00.000Z', no_credit: true, allowed_cpo_parties: ['FR*OTH'] });
    assert.equal(decideOwnToken({ token: { ...ours, valid: false }, account: everything }, 'DE*CPO', now), 'BLOCKED');
    assert.equal(decideOwnToken({ token: ours, account: everything }, 'DE*CPO', now), 'EXPIRED');
    assert.equal(decideOwnToken({ token: ours, account: { ...everything, valid_until: undefined } }, 'DE*CPO', now), 'NO_CREDIT');
    assert.equal(decideOwnToken({ token: ours, account: account({ allowed_cpo_parties: ['FR*OTH'] }) }, 'DE*CPO', now), 'NOT_ALLOWED');
  });

  test('valid_until is exclusive: expired at that instant, not before', () => {
    assert.equal(decideOwnToken({ token: ours, account: account({ valid_until: '2026-05-10T12:00:00.001Z' }) }, undefined, now), 'ALLOWED');
    assert.equal(decideOwnToken({ token: ours, account: account({ valid_until: '2026-05-10T12:00:00.000Z' }) }, undefined, now), 'EXPIRED');
  });

  test('allowed CPO parties compare case-insensitively; an unknown requester cannot satisfy them', () => {
    const limited = { token: ours, account: account({ allowed_cpo_parties: ['DE*CPO'] }) };
    assert.equal(decideOwnToken(limited, 'de*cpo', now), 'ALLOWED');
    assert.equal(decideOwnToken(limited, undefined, now), 'NOT_ALLOWED');
  });

  test('the driver is told why when refused, and nothing when allowed', () => {
    assert.equal(displayTextFor('ALLOWED'), undefined);
    assert.match(displayTextFor('EXPIRED')?.text ?? '', /expired/);
  });
});
