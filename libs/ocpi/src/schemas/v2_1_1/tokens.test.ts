import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { authorizationInfoSchema, locationReferencesSchema, tokenPatchSchema, tokenSchema } from './tokens.js';

/** Verbatim examples of the 2.1.1 spec (mod_tokens.md, see fixtures/2.1.1/NOTICE.md). */
const fixtures = join(import.meta.dirname, '../../../fixtures/2.1.1');
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Record<string, unknown>;
const paths = (result: z.ZodSafeParseResult<unknown>) => (result.error?.issues ?? []).map((issue) => issue.path.join('.')).sort();
const issues = (result: z.ZodSafeParseResult<unknown>) => JSON.stringify(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));

const TOKENS = ['tokens_example.json', 'tokens_put_example.json'];
const PATCH = 'tokens_patch_example_invalidate.json';

describe('2.1.1 Token schemas against the spec examples', () => {
  test('every tokens_ fixture is classified here', () => {
    const all = readdirSync(fixtures).filter((file) => file.startsWith('tokens_') && file.endsWith('.json'));
    assert.deepEqual(all.sort(), [...TOKENS, PATCH].sort());
  });

  for (const file of TOKENS) {
    test(`${file} parses as a Token, auth_id and all`, () => {
      const result = tokenSchema.safeParse(read(file));
      assert.ok(result.success, `${file}: ${issues(result)}`);
      assert.equal(result.data.auth_id, 'DE8ACC12E46L89');
      assert.equal(result.data.type, 'RFID');
    });
  }

  test('the PATCH example parses as a patch with only `valid`, and is no Token', () => {
    const result = tokenPatchSchema.safeParse(read(PATCH));
    assert.ok(result.success, issues(result));
    assert.deepEqual(result.data, { valid: false });
    assert.deepEqual(paths(tokenSchema.safeParse(read(PATCH))), ['auth_id', 'issuer', 'last_updated', 'type', 'uid', 'whitelist']);
  });

  test('2.1.1 TokenType is RFID or OTHER; uid and auth_id are string(36)', () => {
    const token = read('tokens_example.json');
    assert.deepEqual(paths(tokenSchema.safeParse({ ...token, type: 'APP_USER' })), ['type']);
    assert.deepEqual(paths(tokenSchema.safeParse({ ...token, uid: 'u'.repeat(37), auth_id: 'a'.repeat(37) })), ['auth_id', 'uid']);
    assert.deepEqual(paths(tokenSchema.safeParse({ ...token, contract_id: 'X', auth_id: undefined })), ['auth_id']);
    assert.equal(tokenSchema.parse({ ...token, uid: 'abc' }).uid, 'abc');
  });

  test('LocationReferences carries connector_ids; AuthorizationInfo has no token', () => {
    assert.deepEqual(locationReferencesSchema.parse({ location_id: 'LOC1', evse_uids: ['3256'], connector_ids: ['1', '2'] }), {
      location_id: 'LOC1',
      evse_uids: ['3256'],
      connector_ids: ['1', '2'],
    });
    assert.deepEqual(locationReferencesSchema.parse({ location_id: 'LOC1' }), { location_id: 'LOC1', evse_uids: [], connector_ids: [] });
    assert.deepEqual(authorizationInfoSchema.parse({ allowed: 'NO_CREDIT', info: { language: 'en', text: 'Top up first' } }), { allowed: 'NO_CREDIT', info: { language: 'en', text: 'Top up first' } });
    assert.deepEqual(paths(authorizationInfoSchema.safeParse({ allowed: 'MAYBE' })), ['allowed']);
  });
});
