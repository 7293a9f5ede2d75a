import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { credentialsSchema } from './credentials.js';

const examples = join(import.meta.dirname, '../../../../../shared/ocpi/examples/2.2.1');

test('the official credentials examples parse', () => {
  const files = readdirSync(examples).filter((file) => file.startsWith('credentials_example'));
  assert.ok(files.length >= 4, 'files.length >= 4');
  for (const file of files) {
    const body = JSON.parse(readFileSync(join(examples, file), 'utf8')) as unknown;
    const result = credentialsSchema.safeParse(body);
    assert.ok(result.success, `${file}: ${JSON.stringify(result.error?.issues)}`);
  }
});

test('nulls read as absent, unknown fields are tolerated, CiStrings upper-cased', () => {
  const parsed = credentialsSchema.parse({
    token: 'abc',
    url: 'https://partner.example/ocpi/versions',
    roles: [{ role: 'CPO', party_id: 'abc', country_code: 'nl', business_details: { name: 'X', website: null, logo: null }, vendor_field: 1 }],
    extension: { any: 'thing' },
  });
  assert.equal(parsed.roles[0]?.party_id, 'ABC');
  assert.equal(parsed.roles[0]?.country_code, 'NL');
  assert.equal(parsed.roles[0]?.business_details.website, undefined);
});

test('duplicate roles and bad tokens are refused', () => {
  const role = { role: 'CPO', party_id: 'ABC', country_code: 'NL', business_details: { name: 'X' } };
  const duplicate = credentialsSchema.safeParse({ token: 'abc', url: 'https://p.example/v', roles: [role, { ...role, party_id: 'abc' }] });
  assert.equal(duplicate.success, false);
  assert.match(JSON.stringify(duplicate.error?.issues), /duplicate role CPO NL\*ABC/);
  assert.equal(credentialsSchema.safeParse({ token: 'has space', url: 'https://p.example/v', roles: [role] }).success, false);
  assert.equal(credentialsSchema.safeParse({ token: 'abc', url: 'https://p.example/v', roles: [] }).success, false);
});
