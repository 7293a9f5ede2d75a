import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { energyMixSchema } from './common.js';
import { connectorPatchSchema, connectorSchema, evsePatchSchema, evseSchema, hoursSchema, locationPatchSchema, locationSchema } from './locations.js';

/** Verbatim examples of the 2.1.1 spec (mod_locations.md, see fixtures/2.1.1/NOTICE.md). */
const fixtures = join(import.meta.dirname, '../../../fixtures/2.1.1');
const text = (file: string) => readFileSync(join(fixtures, file), 'utf8');
const read = (file: string): Record<string, unknown> => JSON.parse(text(file)) as Record<string, unknown>;
/** Some examples are a member (`"energy_mix": {...}`), not a document: read inside braces. */
const member = (file: string): Record<string, unknown> => JSON.parse(`{${text(file)}}`) as Record<string, unknown>;
const paths = (result: z.ZodSafeParseResult<unknown>) => (result.error?.issues ?? []).map((issue) => issue.path.join('.')).sort();
const issues = (result: z.ZodSafeParseResult<unknown>) => JSON.stringify(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));

const LOCATION = 'locations_example.json';
const PATCHES = {
  'locations_patch_example_status.json': evsePatchSchema,
  'locations_patch_example_name.json': locationPatchSchema,
  'locations_patch_example_tariff.json': connectorPatchSchema,
  'locations_patch_example_remove_evse.json': evsePatchSchema,
} as const;
/** Known defect (NOTICE.md): the add-EVSE PUT is no valid EVSE. */
const ADD_EVSE = 'locations_put_example_add_evse.json';
const ENERGY_MIXES = ['locations_energy_mix_example_simple.json', 'locations_energy_mix_example_tariff_name.json', 'locations_energy_mix_example_complete.json'];
const HOURS = 'locations_regular_hours_example.json';

describe('2.1.1 Location schemas against the spec examples', () => {
  test('every locations_ fixture is classified here', () => {
    const all = readdirSync(fixtures).filter((file) => file.startsWith('locations_') && file.endsWith('.json'));
    assert.deepEqual(all.sort(), [LOCATION, ...Object.keys(PATCHES), ADD_EVSE, ...ENERGY_MIXES, HOURS].sort());
  });

  test('the Location example parses, EVSEs and connectors included', () => {
    const result = locationSchema.safeParse(read(LOCATION));
    assert.ok(result.success, issues(result));
    assert.equal(result.data.type, 'ON_STREET');
    assert.equal(result.data.postal_code, '9000');
    assert.deepEqual(result.data.evses.map((evse) => [evse.uid, evse.evse_id, evse.connectors.map((connector) => `${connector.id}:${connector.voltage}V/${connector.amperage}A/${connector.tariff_id}`)]), [
      ['3256', 'BE-BEC-E041503001', ['1:220V/16A/11', '2:220V/16A/11']],
      ['3257', 'BE-BEC-E041503002', ['1:220V/16A/12']],
    ]);
    assert.equal(result.data.time_zone, undefined);
  });

  for (const [file, schema] of Object.entries(PATCHES)) {
    test(`${file} parses as a PATCH and carries only its field`, () => {
      const result = schema.safeParse(read(file));
      assert.ok(result.success, `${file}: ${issues(result)}`);
      assert.deepEqual(result.data, read(file));
    });
  }

  test('a PATCH body is checked like the full object, and must change something', () => {
    assert.deepEqual(paths(evsePatchSchema.safeParse({ status: 'BUSY' })), ['status']);
    assert.deepEqual(paths(connectorPatchSchema.safeParse({ voltage: 'high' })), ['voltage']);
    assert.equal(locationPatchSchema.safeParse({}).success, false);
  });

  test('the add-EVSE example (known defect) is refused, naming what it lacks or gets wrong', () => {
    const result = evseSchema.safeParse(read(ADD_EVSE));
    assert.equal(result.success, false);
    assert.deepEqual(paths(result), [
      'connectors.0.amperage',
      'connectors.0.last_updated',
      'connectors.0.power_type',
      'connectors.0.voltage',
      'last_updated',
      'physical_reference',
    ]);
  });

  test('the energy mix examples parse, `source` naming the environmental impact', () => {
    for (const file of ENERGY_MIXES) {
      const result = energyMixSchema.safeParse(member(file)['energy_mix']);
      assert.ok(result.success, `${file}: ${issues(result)}`);
    }
    const complete = energyMixSchema.parse(member('locations_energy_mix_example_complete.json')['energy_mix']);
    assert.deepEqual(complete.environ_impact, [
      { source: 'NUCLEAR_WASTE', amount: 0.0006 },
      { source: 'CARBON_DIOXIDE', amount: 372 },
    ]);
    assert.equal(complete.energy_sources.reduce((sum, source) => sum + source.percentage, 0).toFixed(1), '100.0');
  });

  test('the opening hours example parses: regular hours next to twentyfourseven=false', () => {
    const result = hoursSchema.safeParse(member(HOURS)['opening_times']);
    assert.ok(result.success, issues(result));
    assert.equal(result.data.regular_hours.length, 5);
    assert.equal(result.data.twentyfourseven, false);
    assert.deepEqual(result.data.exceptional_closings, [{ period_begin: '2014-06-24T00:00:00.000Z', period_end: '2014-06-25T00:00:00.000Z' }]);
  });

  test('Hours is a choice: 24/7 alone is fine, 24/7 with regular hours or neither is refused', () => {
    assert.deepEqual(hoursSchema.parse({ twentyfourseven: true }), { twentyfourseven: true, regular_hours: [], exceptional_openings: [], exceptional_closings: [] });
    const day = { weekday: 1, period_begin: '08:00', period_end: '20:00' };
    assert.equal(hoursSchema.parse({ regular_hours: [day] }).twentyfourseven, false);
    assert.deepEqual(paths(hoursSchema.safeParse({ twentyfourseven: true, regular_hours: [day] })), ['regular_hours']);
    assert.deepEqual(paths(hoursSchema.safeParse({ exceptional_openings: [] })), ['regular_hours']);
  });

  test('2.1.1 enums and cardinalities: LocationType, 3 power types, 25 connector types, 16 facilities', () => {
    const location = read(LOCATION);
    const refused = (change: Record<string, unknown>) => paths(locationSchema.safeParse({ ...location, ...change }));
    assert.deepEqual(refused({ type: 'ON_DRIVEWAY' }), ['type']);
    assert.deepEqual(refused({ facilities: ['BIKE_SHARING'] }), ['facilities.0']);
    assert.deepEqual(refused({ postal_code: undefined }), ['postal_code']);
    assert.deepEqual(refused({ address: 'a'.repeat(46) }), ['address']);
    assert.deepEqual(refused({ id: 'L'.repeat(40) }), ['id']);
    assert.ok(locationSchema.safeParse({ ...location, id: 'L'.repeat(39) }).success, 'a 39-character Location.id is fine in 2.1.1');
    const connector = (read(LOCATION)['evses'] as { connectors: Record<string, unknown>[] }[])[0]?.connectors[0];
    assert.deepEqual(paths(connectorSchema.safeParse({ ...connector, power_type: 'AC_2_PHASE' })), ['power_type']);
    assert.deepEqual(paths(connectorSchema.safeParse({ ...connector, standard: 'NEMA_5_20' })), ['standard']);
    assert.deepEqual(paths(connectorSchema.safeParse({ ...connector, max_voltage: 220, voltage: undefined })), ['voltage']);
    assert.ok(connectorSchema.safeParse({ ...connector, standard: 'IEC_60309_2_single_16' }).success, 'mixed-case connector type as spelled');
    const evse = (read(LOCATION)['evses'] as Record<string, unknown>[])[0];
    assert.deepEqual(paths(evseSchema.safeParse({ ...evse, connectors: [] })), ['connectors']);
    assert.deepEqual(paths(evseSchema.safeParse({ ...evse, capabilities: ['CHIP_CARD_SUPPORT'] })), ['capabilities.0']);
  });
});
