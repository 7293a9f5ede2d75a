import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { locationSchema, sessionPatchSchema, sessionSchema, type Location, type Session } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { NotExpressible } from '../mapped.js';
import { locationFrom211, locationTo211 } from './locations.js';
import { sessionFrom211, sessionPatchFrom211, sessionPatchTo211, sessionTo211 } from './sessions.js';
import { fields, omit, plain } from './mapping-test-support.js';

const examples221 = join(import.meta.dirname, '../../../../../../shared/ocpi/examples/2.2.1');
const fixtures211 = join(import.meta.dirname, '../../../../../libs/ocpi/fixtures/2.1.1');
const readJson = (dir: string, file: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;


const location221 = locationSchema.parse(readJson(examples221, 'location_example.json'));
const session221 = (file: string): Session => sessionSchema.parse(readJson(examples221, file));
const TOKEN_LOSSES = ['cdr_token.uid', 'cdr_token.type', 'cdr_token.country_code', 'cdr_token.party_id'];

/** The spec examples' one defect (NOTICE.md): location.country "BE" is not alpha-3; corrected to BEL. */
function session211(file: string): v211.Session {
  const raw = readJson(fixtures211, file);
  return v211.sessionSchema.parse({ ...raw, location: { ...(raw['location'] as object), country: 'BEL' } });
}
const token211 = { country_code: 'NL', party_id: 'TNM', uid: '12345678905880', type: 'RFID', contract_id: 'DE8ACC12E46L89' } as const;
const owner211 = { countryCode: 'BE', partyId: 'BEC', timeZone: 'Europe/Brussels' };

describe('2.1.1 spec Session examples → sessionFrom211 → sessionTo211', () => {
  for (const file of ['sessions_example_simple_start.json', 'sessions_example_short_finished.json']) {
    test(`${file} comes back, the embedded Location being what locationTo211 makes of it`, () => {
      const wire = session211(file);
      const inbound = sessionFrom211(wire, { countryCode: 'BE', partyId: 'BEC', cdrToken: token211 });
      assert.deepEqual(inbound.losses, [], 'a 2.1.1 Session loses nothing on the way in');
      assert.deepEqual(plain(sessionSchema.parse(inbound.value)), plain(inbound.value), 'the result is a valid 2.2.1 Session as it stands');
      assert.equal(inbound.value.location_id, 'LOC1');
      assert.equal(inbound.value.evse_uid, '3256');
      assert.equal(inbound.value.connector_id, '1');
      assert.equal(inbound.value.cdr_token.contract_id, wire.auth_id);

      const location = locationFrom211(wire.location, owner211).value;
      const outbound = sessionTo211(inbound.value, location);
      const embedded = locationTo211(location, { evseUid: '3256', connectorId: '1' });
      assert.deepEqual(fields(outbound.losses), [...TOKEN_LOSSES, ...embedded.losses.map((loss) => `location.${loss.field}`)]);
      assert.deepEqual(plain(outbound.value.location), plain(embedded.value));
      assert.deepEqual(omit(outbound.value, ['location']), omit(wire, ['location']));
      assert.ok(v211.sessionSchema.safeParse(plain(outbound.value)).success, 'what is sent is a valid 2.1.1 Session');
    });
  }

  test('the 2.1.1 PATCH example: last_updated (required in 2.2.1) comes from the caller, the rest comes back', () => {
    const wire = v211.sessionPatchSchema.parse(readJson(fixtures211, 'sessions_patch_example_total_cost.json'));
    const inbound = sessionPatchFrom211(wire, { receivedAt: '2015-06-29T23:10:00.000Z' });
    assert.deepEqual(inbound.value, { total_cost: { excl_vat: 0.6 }, last_updated: '2015-06-29T23:10:00.000Z' });
    assert.ok(sessionPatchSchema.safeParse(inbound.value).success, 'a valid 2.2.1 PATCH');
    const outbound = sessionPatchTo211(inbound.value);
    assert.deepEqual(outbound.losses, []);
    assert.deepEqual(omit(outbound.value, ['last_updated']), wire);
  });
});

describe('2.2.1 Session examples → sessionTo211 → sessionFrom211', () => {
  const cases: [file: string, sessionLosses: string[]][] = [
    ['session_example_1_simple_start.json', TOKEN_LOSSES],
    ['session_example_2_short_finished.json', [...TOKEN_LOSSES, 'charging_periods[2].tariff_id', 'total_cost.incl_vat']],
  ];
  for (const [file, sessionLosses] of cases) {
    test(`${file} comes back except exactly what the losses name`, () => {
      const original = session221(file);
      const outbound = sessionTo211(original, location221);
      const locationLosses = locationTo211(location221, { evseUid: original.evse_uid, connectorId: original.connector_id }).losses.map((loss) => `location.${loss.field}`);
      assert.deepEqual(fields(outbound.losses), [...sessionLosses, ...locationLosses]);
      const wire = v211.sessionSchema.safeParse(plain(outbound.value));
      assert.ok(wire.success, `a valid 2.1.1 Session: ${JSON.stringify(wire.error?.issues)}`);
      assert.equal(wire.data.location.evses.length, 1, 'only the session EVSE is embedded');
      assert.equal(wire.data.location.evses[0]?.connectors.length, 1, 'only the session connector is embedded');

      const back = sessionFrom211(wire.data, { countryCode: original.country_code, partyId: original.party_id, cdrToken: original.cdr_token });
      assert.deepEqual(back.losses, []);
      assert.deepEqual(omit(back.value, sessionLosses), omit(original, sessionLosses));
      assert.deepEqual(back.value.cdr_token, original.cdr_token, 'the caller restores the token 2.1.1 names by auth_id only');
    });
  }

  const patches: [file: string, losses: string[]][] = [
    ['session_patch_example_charging_period.json', ['total_cost.incl_vat']],
    ['session_patch_example_total_cost.json', ['total_cost.incl_vat']],
  ];
  for (const [file, losses] of patches) {
    test(`${file} comes back except exactly what the losses name`, () => {
      const original = sessionPatchSchema.parse(readJson(examples221, file));
      const outbound = sessionPatchTo211(original);
      assert.deepEqual(fields(outbound.losses), losses);
      const wire = v211.sessionPatchSchema.parse(plain(outbound.value));
      const back = sessionPatchFrom211(wire, { receivedAt: '2030-01-01T00:00:00.000Z' });
      assert.deepEqual(back.losses, []);
      assert.deepEqual(omit(back.value, losses), omit(original, losses));
    });
  }
});

describe('The optional fields both versions have', () => {
  test('meter_id and the periods of an ACTIVE session come back unchanged, both ways', () => {
    const original: Session = { ...session221('session_example_2_short_finished.json'), status: 'ACTIVE', end_date_time: undefined, meter_id: 'METER-1' };
    const outbound = sessionTo211(original, location221);
    assert.equal(outbound.value.meter_id, 'METER-1');
    const back = sessionFrom211(v211.sessionSchema.parse(plain(outbound.value)), { countryCode: 'BE', partyId: 'BEC', cdrToken: original.cdr_token });
    const lost = fields(outbound.losses);
    assert.deepEqual(omit(back.value, lost), omit(original, lost));
  });
});

describe('Session renames and enum mappings', () => {
  const original = session221('session_example_2_short_finished.json');

  test('start_date_time → start_datetime, end_date_time → end_datetime, contract_id → auth_id, Price → number excl. VAT', () => {
    const { value } = sessionTo211(original, location221);
    assert.equal(value.start_datetime, original.start_date_time);
    assert.equal(value.end_datetime, original.end_date_time);
    assert.equal(value.auth_id, 'NL-TST-C12345678-S');
    assert.equal(value.total_cost, 8.5);
    assert.ok(!('start_date_time' in value) && !('cdr_token' in value) && !('location_id' in value), 'no 2.2.1 names on the 2.1.1 wire');
    assert.equal(value.location.id, 'LOC1');
    assert.equal(value.location.evses[0]?.uid, '3256');
    assert.equal(value.location.evses[0]?.connectors[0]?.id, '1');
  });

  test('AuthMethod COMMAND → AUTH_REQUEST (a loss); AUTH_REQUEST and WHITELIST unchanged', () => {
    const command = sessionTo211({ ...original, auth_method: 'COMMAND' }, location221);
    assert.equal(command.value.auth_method, 'AUTH_REQUEST');
    assert.ok(fields(command.losses).includes('auth_method'), 'COMMAND is named as a loss');
    for (const method of ['AUTH_REQUEST', 'WHITELIST'] as const) {
      const mapped = sessionTo211({ ...original, auth_method: method }, location221);
      assert.equal(mapped.value.auth_method, method);
      assert.ok(!fields(mapped.losses).includes('auth_method'), `${method} is no loss`);
    }
  });

  test('SessionStatus RESERVATION is not expressible (2.1.1 has no reserved session); the others map 1:1', () => {
    assert.throws(() => sessionTo211({ ...original, status: 'RESERVATION' }, location221), (error: unknown) => error instanceof NotExpressible && fields(error.losses).join() === 'status');
    for (const status of ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING'] as const) assert.equal(sessionTo211({ ...original, status }, location221).value.status, status);
  });

  test('dimensions 2.1.1 lacks are losses; a period left without one is left out, named as a whole', () => {
    const periods = [
      { start_date_time: '2015-06-29T22:39:09.000Z', dimensions: [{ type: 'ENERGY' as const, volume: 1 }, { type: 'POWER' as const, volume: 11 }] },
      { start_date_time: '2015-06-29T22:50:00.000Z', dimensions: [{ type: 'STATE_OF_CHARGE' as const, volume: 80 }] },
      { start_date_time: '2015-06-29T23:00:00.000Z', dimensions: [{ type: 'MAX_CURRENT' as const, volume: 16 }] },
    ];
    const mapped = sessionTo211({ ...original, charging_periods: periods, total_cost: undefined }, location221);
    assert.deepEqual(mapped.value.charging_periods, [
      { start_date_time: '2015-06-29T22:39:09.000Z', dimensions: [{ type: 'ENERGY', volume: 1 }] },
      { start_date_time: '2015-06-29T23:00:00.000Z', dimensions: [{ type: 'MAX_CURRENT', volume: 16 }] },
    ]);
    assert.deepEqual(fields(mapped.losses).filter((field) => field.startsWith('charging_periods')), ['charging_periods[0].dimensions[1]', 'charging_periods[1]']);
  });

  test('FLAT (2.1.1 only) is a loss on the way in; authorization_reference a loss on the way out', () => {
    const wire = session211('sessions_example_short_finished.json');
    const flat = { ...wire, charging_periods: [{ start_date_time: wire.start_datetime, dimensions: [{ type: 'FLAT' as const, volume: 1 }, { type: 'TIME' as const, volume: 1.1 }] }] };
    const inbound = sessionFrom211(flat, { countryCode: 'BE', partyId: 'BEC', cdrToken: token211 });
    assert.deepEqual(inbound.value.charging_periods[0]?.dimensions, [{ type: 'TIME', volume: 1.1 }]);
    assert.deepEqual(fields(inbound.losses), ['charging_periods[0].dimensions[0]']);
    const onlyFlat = { ...wire, charging_periods: [{ start_date_time: wire.start_datetime, dimensions: [{ type: 'FLAT' as const, volume: 1 }] }] };
    assert.deepEqual(fields(sessionFrom211(onlyFlat, { countryCode: 'BE', partyId: 'BEC', cdrToken: token211 }).losses), ['charging_periods[0]']);
    const withReference = sessionTo211({ ...original, authorization_reference: 'REF1' }, location221);
    assert.ok(fields(withReference.losses).includes('authorization_reference'), 'authorization_reference is named');
  });

  test('2.1.1 case-sensitive ids are folded with a loss; ids over 36 characters are not expressible', () => {
    const wire = session211('sessions_example_simple_start.json');
    const lower = sessionFrom211({ ...wire, id: 'sess-101' }, { countryCode: 'be', partyId: 'bec', cdrToken: token211 });
    assert.equal(lower.value.id, 'SESS-101');
    assert.equal(lower.value.country_code, 'BE');
    assert.deepEqual(fields(lower.losses), ['id']);
    const longId = { ...wire, location: { ...wire.location, id: 'L'.repeat(39) } };
    assert.throws(() => sessionFrom211(longId, { countryCode: 'BE', partyId: 'BEC', cdrToken: token211 }), (error: unknown) => error instanceof NotExpressible && fields(error.losses).join() === 'location.id');
    assert.throws(() => sessionFrom211({ ...wire, kwh: -1 }, { countryCode: 'BE', partyId: 'BEC', cdrToken: token211 }), (error: unknown) => error instanceof NotExpressible && fields(error.losses).join() === 'kwh');
  });

  test('caller mistakes are bugs, not losses: a token for another auth_id, a Location that is not the session one', () => {
    const wire = session211('sessions_example_simple_start.json');
    assert.throws(() => sessionFrom211(wire, { countryCode: 'BE', partyId: 'BEC', cdrToken: { ...token211, contract_id: 'OTHER' } }), (error: unknown) => error instanceof AppError && error.code === 'INTERNAL');
    const elsewhere: Location = { ...location221, id: 'LOC2' };
    assert.throws(() => sessionTo211(original, elsewhere), (error: unknown) => error instanceof AppError && error.code === 'INTERNAL');
  });
});

describe('Session PATCH mapping', () => {
  const base = { last_updated: '2020-01-01T00:00:00.000Z' };

  test('a new EVSE travels as the whole embedded Location, so location_id, evse_uid, connector_id and the Location go together', () => {
    assert.throws(() => sessionPatchTo211({ ...base, evse_uid: '3257' }), (error: unknown) => error instanceof NotExpressible && fields(error.losses).join() === 'location_id');
    const moved = sessionPatchTo211({ ...base, location_id: 'LOC1', evse_uid: '3257', connector_id: '1' }, location221);
    assert.equal(moved.value.location?.evses[0]?.uid, '3257');
    const back = sessionPatchFrom211(v211.sessionPatchSchema.parse(plain(moved.value)), { receivedAt: '2030-01-01T00:00:00.000Z' });
    assert.deepEqual([back.value.location_id, back.value.evse_uid, back.value.connector_id], ['LOC1', '3257', '1']);
  });

  test('a PATCHed token: auth_id out, the token the caller resolves in; RESERVATION not expressible', () => {
    const token = session221('session_example_1_simple_start.json').cdr_token;
    const out = sessionPatchTo211({ ...base, cdr_token: token });
    assert.equal(out.value.auth_id, token.contract_id);
    assert.deepEqual(fields(out.losses), TOKEN_LOSSES);
    assert.throws(() => sessionPatchFrom211({ auth_id: token.contract_id }, { receivedAt: base.last_updated }), (error: unknown) => error instanceof AppError && error.code === 'INTERNAL');
    assert.deepEqual(sessionPatchFrom211({ auth_id: token.contract_id }, { receivedAt: base.last_updated, cdrToken: token }).value.cdr_token, token);
    assert.throws(() => sessionPatchTo211({ ...base, status: 'RESERVATION' }), NotExpressible);
  });

  test("a 2.1.1 PATCH's own last_updated wins over the time received", () => {
    assert.equal(sessionPatchFrom211({ kwh: 3, last_updated: '2015-06-29T23:09:10.000Z' }, { receivedAt: '2030-01-01T00:00:00.000Z' }).value.last_updated, '2015-06-29T23:09:10.000Z');
  });
});
