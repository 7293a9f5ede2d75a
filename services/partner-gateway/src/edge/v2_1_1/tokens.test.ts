import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { authorizationInfoSchema, tokenSchema, type Token } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { NotExpressible, type Loss } from '../mapped.js';
import {
  authorizationInfoFrom211,
  authorizationInfoTo211,
  locationReferencesFrom211,
  locationReferencesTo211,
  tokenFrom211,
  tokenPatchFrom211,
  tokenPatchTo211,
  tokenTo211,
} from './tokens.js';

const fixtures = join(import.meta.dirname, '../../../../../libs/ocpi/fixtures/2.1.1');
const examples = join(import.meta.dirname, '../../../../../../shared/ocpi/examples/2.2.1');
const fixture = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Record<string, unknown>;
const example = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const fields = (losses: Loss[]) => losses.map((loss) => loss.field);
const without = (value: Record<string, unknown>, keys: string[]) => wire(Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key))));
const notExpressible = (map: () => unknown, expected: string[]) =>
  assert.throws(map, (error: unknown) => {
    assert.ok(error instanceof NotExpressible, `NotExpressible expected, got ${String(error)}`);
    assert.deepEqual(fields(error.losses), expected);
    return true;
  });

const TNM = { countryCode: 'nl', partyId: 'tnm' };

describe('2.1.1 spec examples → 2.2.1 → 2.1.1', () => {
  for (const file of ['tokens_example.json', 'tokens_put_example.json']) {
    test(`${file}: auth_id ↔ contract_id, the owner from the connection, back whole`, () => {
      const parsed = v211.tokenSchema.parse(fixture(file));
      const internal = tokenFrom211(parsed, TNM);
      assert.deepEqual(internal.losses, []);
      assert.equal(internal.value.contract_id, 'DE8ACC12E46L89');
      assert.deepEqual([internal.value.country_code, internal.value.party_id], ['NL', 'TNM']);
      assert.deepEqual(wire(tokenSchema.parse(wire(internal.value))), wire(internal.value), 'a valid 2.2.1 Token as our schema reads it');
      const back = tokenTo211(internal.value);
      assert.deepEqual(back.losses, []);
      assert.deepEqual(wire(back.value), wire(parsed));
    });
  }

  test('the PATCH example comes back whole', () => {
    const parsed = v211.tokenPatchSchema.parse(fixture('tokens_patch_example_invalidate.json'));
    const internal = tokenPatchFrom211(parsed);
    assert.deepEqual(internal, { value: { valid: false }, losses: [] });
    assert.deepEqual(tokenPatchTo211(internal.value), { value: { valid: false }, losses: [] });
  });
});

describe('2.2.1 examples → 2.1.1 → 2.2.1', () => {
  const cases = {
    'token_example_1_app_user.json': ['type'],
    'token_example_2_full_rfid.json': ['group_id', 'default_profile_type', 'energy_contract'],
    'token_put_example.json': ['group_id'],
  };
  for (const [file, lost] of Object.entries(cases)) {
    test(`${file} comes back except exactly ${lost.join(', ')}`, () => {
      const original = tokenSchema.parse(example(file));
      const sent = tokenTo211(original);
      assert.deepEqual(fields(sent.losses), lost);
      const onTheWire = v211.tokenSchema.safeParse(wire(sent.value));
      assert.ok(onTheWire.success, `${file}: ${JSON.stringify(onTheWire.error?.issues)}`);
      const back = tokenFrom211(onTheWire.data, { countryCode: original.country_code, partyId: original.party_id });
      assert.deepEqual(back.losses, []);
      assert.deepEqual(without(back.value, lost), without(original, lost));
      assert.notDeepEqual(wire(back.value), wire(original), 'the losses are real');
    });
  }

  test('APP_USER and AD_HOC_USER become OTHER (a loss), RFID and OTHER stay', () => {
    const token = tokenSchema.parse(example('token_example_2_full_rfid.json'));
    const type = (value: Token['type']) => {
      const mapped = tokenTo211({ ...token, type: value, group_id: undefined, default_profile_type: undefined, energy_contract: undefined });
      return [mapped.value.type, fields(mapped.losses)];
    };
    assert.deepEqual(type('RFID'), ['RFID', []]);
    assert.deepEqual(type('OTHER'), ['OTHER', []]);
    assert.deepEqual(type('APP_USER'), ['OTHER', ['type']]);
    assert.deepEqual(type('AD_HOC_USER'), ['OTHER', ['type']]);
  });

  test('the 2.2.1 PATCH example comes back whole', () => {
    const original = example('token_patch_example.json');
    const sent = tokenPatchTo211(original);
    assert.deepEqual(sent, { value: { valid: false, last_updated: '2019-06-19T02:11:11Z' }, losses: [] });
    assert.deepEqual(tokenPatchFrom211(sent.value), { value: original, losses: [] });
  });
});

describe('targeted token mappings', () => {
  const token211 = () => v211.tokenSchema.parse(fixture('tokens_example.json'));

  test('case-sensitive 2.1.1 uid/auth_id are folded with a loss; longer than 36 is impossible by schema', () => {
    const mapped = tokenFrom211({ ...token211(), uid: '04a2b3c4', auth_id: 'nl-tnm-c12345678-x' }, TNM);
    assert.deepEqual([mapped.value.uid, mapped.value.contract_id], ['04A2B3C4', 'NL-TNM-C12345678-X']);
    assert.deepEqual(fields(mapped.losses), ['uid', 'auth_id']);
  });

  test('language: lower-cased ISO 639-1, anything else dropped with a loss', () => {
    assert.equal(tokenFrom211({ ...token211(), language: 'IT' }, TNM).value.language, 'it');
    const odd = tokenFrom211({ ...token211(), language: '1x' }, TNM);
    assert.equal(odd.value.language, undefined);
    assert.deepEqual(fields(odd.losses), ['language']);
  });

  test('PATCH: renames and losses of partial bodies, unknown keys named', () => {
    assert.deepEqual(tokenPatchTo211({ contract_id: 'X1', group_id: 'G', colour: 'red' }), {
      value: { auth_id: 'X1' },
      losses: [
        { field: 'colour', reason: 'not a 2.2.1 Token field' },
        { field: 'group_id', reason: 'no group_id in 2.1.1' },
      ],
    });
    assert.deepEqual(tokenPatchFrom211({ auth_id: 'x1', whitelist: 'NEVER' }).value, { contract_id: 'X1', whitelist: 'NEVER' });
  });

  test('LocationReferences: connector_ids exist only in 2.1.1', () => {
    assert.deepEqual(locationReferencesTo211({ location_id: 'LOC1', evse_uids: ['3256'] }), { value: { location_id: 'LOC1', evse_uids: ['3256'], connector_ids: [] }, losses: [] });
    const asked = locationReferencesFrom211(v211.locationReferencesSchema.parse({ location_id: 'loc1', evse_uids: ['3256'], connector_ids: ['1', '2'] }));
    assert.deepEqual(asked.value, { location_id: 'LOC1', evse_uids: ['3256'] });
    assert.deepEqual(fields(asked.losses), ['connector_ids[0]', 'connector_ids[1]', 'location_id']);
  });

  test('AuthorizationInfo to 2.1.1: the token and authorization_reference are losses', () => {
    const info = authorizationInfoSchema.parse({
      allowed: 'ALLOWED',
      token: example('token_example_2_full_rfid.json'),
      location: { location_id: 'LOC1', evse_uids: ['3256'] },
      authorization_reference: 'REF-1',
      info: { language: 'en', text: 'Welcome' },
    });
    const sent = authorizationInfoTo211(info);
    assert.deepEqual(fields(sent.losses), ['token', 'authorization_reference']);
    assert.ok(v211.authorizationInfoSchema.safeParse(wire(sent.value)).success, 'a valid 2.1.1 AuthorizationInfo');
    const back = authorizationInfoFrom211(sent.value, info.token);
    assert.deepEqual(back.losses, []);
    assert.deepEqual(wire(back.value), wire({ ...info, authorization_reference: undefined }));
  });

  test('AuthorizationInfo from 2.1.1: the token asked about; connector-only permission fails closed', () => {
    const token = tokenSchema.parse(example('token_example_2_full_rfid.json'));
    const blocked = authorizationInfoFrom211(v211.authorizationInfoSchema.parse({ allowed: 'BLOCKED' }), token);
    assert.deepEqual(blocked, { value: { allowed: 'BLOCKED', token, location: undefined, info: undefined }, losses: [] });
    const narrowed = v211.authorizationInfoSchema.parse({ allowed: 'ALLOWED', location: { location_id: 'LOC1', evse_uids: ['3256'], connector_ids: ['2'] } });
    notExpressible(() => authorizationInfoFrom211(narrowed, token), ['location.connector_ids']);
  });
});
