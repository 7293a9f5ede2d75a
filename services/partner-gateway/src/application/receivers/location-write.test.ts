import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { OcpiError } from '@voltmesh/ocpi';
import type { Connection } from '../../domain/connection.js';
import { parseLocationWrite, type LocationAddress } from './location-write.js';

const examples = join(import.meta.dirname, '../../../../../../shared/ocpi/examples/2.2.1');
const example = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;

const partner: Connection = {
  id: 'c1',
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [{ role: 'CPO', countryCode: 'BE', partyId: 'BEC', businessName: 'BeCharged' }],
  endpoints: [],
  createdAt: new Date(),
  updatedAt: new Date(),
};
const at = { countryCode: 'be', partyId: 'bec', locationId: 'LOC1' };
const ocpiError = (status: number, http: number, pattern: RegExp) => (error: unknown) =>
  error instanceof OcpiError && error.ocpiStatus === status && error.httpStatus === http && pattern.test(error.message);

describe('partner location writes (Receiver)', () => {
  test('the official location example is accepted as a PUT under its own party (ids compared case-insensitively)', () => {
    const write = parseLocationWrite(partner, 'PUT', at, example('location_example.json'));
    assert.equal(write.level, 'location');
    assert.equal(write.method, 'PUT');
    if (write.method === 'PUT' && write.level === 'location') assert.equal(write.object.evses.length, 2);
  });

  test("another party's object is 404, whatever the body says", () => {
    assert.throws(() => parseLocationWrite(partner, 'PUT', { ...at, countryCode: 'NL', partyId: 'VLT' }, example('location_example.json')), ocpiError(2000, 404, /NL\*VLT/));
  });

  test('URL id and body id must agree: 2001 naming the field', () => {
    assert.throws(() => parseLocationWrite(partner, 'PUT', { ...at, locationId: 'LOC2' }, example('location_example.json')), ocpiError(2001, 200, /^id:/));
    const evse = (example('location_example.json')['evses'] as unknown[])[0];
    assert.throws(() => parseLocationWrite(partner, 'PUT', { ...at, evseUid: '9999' }, evse), ocpiError(2001, 200, /^uid:/));
    assert.throws(() => parseLocationWrite(partner, 'PATCH', { ...at, evseUid: '3256' }, { uid: '3257', status: 'CHARGING', last_updated: '2019-06-24T12:39:09Z' }), ocpiError(2001, 200, /^uid:/));
  });

  test('a PATCH needs last_updated; the official status PATCH is accepted', () => {
    assert.throws(() => parseLocationWrite(partner, 'PATCH', { ...at, evseUid: '3256' }, { status: 'CHARGING' }), ocpiError(2001, 200, /last_updated/));
    const write = parseLocationWrite(partner, 'PATCH', { ...at, evseUid: '3256' }, example('location_patch_example_status.json'));
    assert.equal(write.level, 'evse');
    if (write.method === 'PATCH') assert.equal(write.patch.last_updated, '2019-06-24T12:39:09.000Z');
  });

  test('the body must be the object the URL depth names: the defective add-EVSE example is refused naming its fields', () => {
    assert.throws(() => parseLocationWrite(partner, 'PUT', { ...at, evseUid: '3255' }, example('location_put_example_add_evse.json')), ocpiError(2001, 200, /power_type/));
    assert.throws(() => parseLocationWrite(partner, 'PUT', at, []), ocpiError(2001, 200, /must be a JSON object/));
  });
});

describe('partner location PATCH bodies', () => {
  const patch = (address: Partial<LocationAddress>, body: unknown): Record<string, unknown> => {
    const write = parseLocationWrite(partner, 'PATCH', { ...at, ...address }, body);
    assert.equal(write.method, 'PATCH');
    return write.method === 'PATCH' ? write.patch : {};
  };

  test('fields are checked like in a PUT, naming the field', () => {
    assert.throws(() => patch({ evseUid: '3256' }, { status: 'PARKED', last_updated: '2019-06-24T12:39:09Z' }), ocpiError(2001, 200, /status/));
    assert.throws(() => patch({}, { city: 'x'.repeat(46), last_updated: '2019-06-24T12:39:09Z' }), ocpiError(2001, 200, /city/));
    assert.throws(() => patch({}, { evses: [{ status: 'CHARGING' }], last_updated: '2019-06-24T12:39:09Z' }), ocpiError(2001, 200, /evses\[0\]\.uid/));
    assert.throws(() => patch({ evseUid: '1', connectorId: '1' }, { max_voltage: -1, last_updated: '2019-06-24T12:39:09Z' }), ocpiError(2001, 200, /max_voltage/));
  });

  test('only what was sent is kept: defaults never overwrite stored lists, unknown fields are dropped', () => {
    const kept = patch({}, { name: 'New name', extra: 'ignored', last_updated: '2019-06-24T12:39:09Z' });
    assert.deepEqual(kept, { name: 'New name', last_updated: '2019-06-24T12:39:09.000Z' });
  });

  test('nested EVSEs and connectors keep only their sent fields and inherit last_updated', () => {
    const kept = patch({}, { evses: [{ uid: 'E1', status: 'CHARGING', connectors: [{ id: '1', max_amperage: 16 }] }], last_updated: '2019-06-24T12:39:09Z' });
    assert.deepEqual(kept['evses'], [
      { uid: 'E1', status: 'CHARGING', connectors: [{ id: '1', max_amperage: 16, last_updated: '2019-06-24T12:39:09.000Z' }], last_updated: '2019-06-24T12:39:09.000Z' },
    ]);
  });
});
