import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { aToken } from '@voltmesh/testing';
import { blockToken, patchToken, putToken, updateOwnToken } from './token-change.js';

const at = (day: string): string => `2026-05-${day}T10:00:00.000Z`;
const rejectsWith = (code: string, message: RegExp) => (error: unknown) => error instanceof AppError && error.code === code && message.test(error.message);

describe('token changes', () => {
  test('a PUT creates, replaces when as new or newer, and ignores an older one or the same content', () => {
    const v1 = aToken({ last_updated: at('10') });
    assert.deepEqual(putToken(undefined, v1), { changed: true, state: { token: v1 } });
    const v2 = aToken({ whitelist: 'NEVER', last_updated: at('11') });
    assert.deepEqual(putToken({ token: v1 }, v2), { changed: true, state: { token: v2 } });
    assert.deepEqual(putToken({ token: v2 }, v1), { changed: false }, 'older');
    assert.deepEqual(putToken({ token: v2 }, { ...v2 }), { changed: false }, 'a replay');
  });

  test('a PUT keeps the stored account unless it brings one', () => {
    const account = { no_credit: true, allowed_cpo_parties: [] };
    const v1 = aToken({ last_updated: at('10') });
    const v2 = aToken({ issuer: 'Other', last_updated: at('11') });
    assert.deepEqual(putToken({ token: v1, account }, v2), { changed: true, state: { token: v2, account } });
    assert.deepEqual(putToken({ token: v1, account }, v1, { no_credit: false, allowed_cpo_parties: [] }), { changed: true, state: { token: v1, account: { no_credit: false, allowed_cpo_parties: [] } } });
  });

  test('a PATCH merges only the fields it names and needs last_updated; an older one changes nothing', () => {
    const stored = { token: aToken({ visual_number: 'V-1', last_updated: at('10') }) };
    const result = patchToken(stored, { valid: false, last_updated: at('11') });
    assert.deepEqual(result, { changed: true, state: { token: { ...stored.token, valid: false, last_updated: at('11') } } });
    assert.deepEqual(patchToken(stored, { valid: false, last_updated: at('09') }), { changed: false });
    assert.deepEqual(patchToken(stored, { last_updated: at('10') }), { changed: false }, 'nothing new');
    assert.throws(() => patchToken(stored, { valid: false }), rejectsWith('INVALID_ARGUMENT', /last_updated/));
  });

  test('a PATCH of an unknown token, of its identity, or one that makes it invalid is refused', () => {
    const stored = { token: aToken({ last_updated: at('10') }) };
    assert.throws(() => patchToken(undefined, { valid: false, last_updated: at('11') }), rejectsWith('INVALID_ARGUMENT', /not stored/));
    assert.throws(() => patchToken(stored, { uid: 'OTHER', last_updated: at('11') }), rejectsWith('INVALID_ARGUMENT', /^uid: .*identity/));
    assert.deepEqual(patchToken(stored, { uid: stored.token.uid.toLowerCase(), last_updated: at('11') }).changed, true, 'the same uid in other case is the same token');
    assert.throws(() => patchToken(stored, { issuer: 'x'.repeat(65), last_updated: at('11') }), rejectsWith('INVALID_ARGUMENT', /invalid: issuer/));
  });

  test('our own updates date the token now, after the stored one, and only when something changes', () => {
    const stored = { token: aToken({ last_updated: at('10') }) };
    const now = new Date(at('12'));
    assert.deepEqual(updateOwnToken(stored, { whitelist: 'NEVER' }, undefined, now), { changed: true, state: { token: { ...stored.token, whitelist: 'NEVER', last_updated: at('12') } } });
    assert.deepEqual(updateOwnToken(stored, { whitelist: 'ALLOWED', last_updated: at('30') }, undefined, now), { changed: false }, 'same fields; the given last_updated is ignored');
    const early = updateOwnToken(stored, {}, { no_credit: true, allowed_cpo_parties: [] }, new Date(at('01')));
    assert.equal(early.changed && early.state.token.last_updated, '2026-05-10T10:00:00.001Z', 'a clock behind the stored time still moves it forward');
    assert.throws(() => updateOwnToken(undefined, { valid: false }, undefined, now), rejectsWith('NOT_FOUND', /unknown token/));
  });

  test('blocking sets valid=false once', () => {
    const stored = { token: aToken({ last_updated: at('10') }) };
    const blocked = blockToken(stored, new Date(at('12')));
    assert.ok(blocked.changed, 'blocked.changed');
    assert.equal(blocked.state.token.valid, false);
    assert.deepEqual(blockToken(blocked.state, new Date(at('13'))), { changed: false });
  });
});
