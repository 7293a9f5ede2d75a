import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connectorSchema, evseSchema, hoursSchema, energyMixSchema, locationSchema, type Connector, type Location } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { LossLog, NotExpressible, type Loss } from '../mapped.js';
import {
  connectorFrom211,
  connectorTo211,
  coordinateTo211,
  energyMixFrom211,
  energyMixTo211,
  evseFrom211,
  evseTo211,
  locationFrom211,
  locationPatchFrom211,
  locationPatchTo211,
  locationTo211,
} from './locations.js';

const fixtures = join(import.meta.dirname, '../../../../../libs/ocpi/fixtures/2.1.1');
const examples = join(import.meta.dirname, '../../../../../../shared/ocpi/examples/2.2.1');
const readText = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const fixture = (file: string): Record<string, unknown> => JSON.parse(readText(fixtures, file)) as Record<string, unknown>;
/** 2.1.1 examples that are a member (`"energy_mix": {...}`), not a document: read inside braces. */
const fixtureMember = (file: string): Record<string, unknown> => JSON.parse(`{${readText(fixtures, file)}}`) as Record<string, unknown>;
const example = (file: string): Record<string, unknown> => JSON.parse(readText(examples, file)) as Record<string, unknown>;

/** What goes on the wire: absent and undefined are the same. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const fields = (losses: Loss[]) => losses.map((loss) => loss.field);

const DROPPED = Symbol('dropped');
type Json = Record<string | number, unknown>;
/**
 * Removes the loss paths (`evses[0].connectors[1]`, `address`) from a copy. A path ending in an
 * index names an element the mapper left out, a path ending in a key a value it changed.
 */
function omit(value: unknown, paths: string[], { elements = true } = {}): unknown {
  const copy = structuredClone(value) as Json;
  for (const path of paths) {
    const segments = path.match(/[^.[\]]+/g) ?? [];
    const last = segments.pop();
    if (last === undefined || (!elements && /^\d+$/.test(last))) continue;
    let parent: unknown = copy;
    for (const segment of segments) parent = parent === undefined ? undefined : (parent as Json)[segment];
    if (parent !== undefined && parent !== null && last in (parent as Json)) (parent as Json)[last] = DROPPED;
  }
  const sweep = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.filter((item) => item !== DROPPED).map(sweep);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).filter(([, item]) => item !== DROPPED).map(([key, item]) => [key, sweep(item)]));
    return node;
  };
  return wire(sweep(copy));
}

const notExpressible = (map: () => unknown, expected: string[]) =>
  assert.throws(map, (error: unknown) => {
    assert.ok(error instanceof NotExpressible, `NotExpressible expected, got ${String(error)}`);
    assert.deepEqual(fields(error.losses), expected);
    return true;
  });

const BRUSSELS = { countryCode: 'BE', partyId: 'BEC', timeZone: 'Europe/Brussels' };

/** A 2.2.1 Location using everything 2.1.1 cannot say, each once. */
function aRichLocation(): Location {
  const base = locationSchema.parse(example('location_example.json'));
  const connector = (changes: Partial<Connector>): Connector => ({ ...(base.evses[0]?.connectors[0] as Connector), ...changes });
  return locationSchema.parse({
    ...base,
    parking_type: 'ON_DRIVEWAY',
    address: 'Sint-Pietersnieuwstraat 41, Campus Ufo, gebouw B',
    postal_code: undefined,
    state: 'Oost-Vlaanderen',
    coordinates: { latitude: '51.0475995', longitude: '3.72994' },
    facilities: ['CAFE', 'BIKE_SHARING', 'WIFI'],
    opening_times: { twentyfourseven: true, regular_hours: [{ weekday: 1, period_begin: '08:00', period_end: '20:00' }] },
    images: [{ url: 'https://example.com/photo.jpg', category: 'LOCATION', type: 'jpeg', width: 800, height: 600 }],
    energy_mix: example('location_energymix_example_complete.json')['energy_mix'],
    evses: [
      {
        ...base.evses[0],
        capabilities: ['RESERVABLE', 'CHIP_CARD_SUPPORT', 'REMOTE_START_STOP_CAPABLE'],
        connectors: [
          connector({ max_electric_power: 11000, tariff_ids: ['11', '12'] }),
          connector({ id: '2', standard: 'NEMA_5_20' }),
          connector({ id: '3', power_type: 'AC_2_PHASE_SPLIT' }),
        ],
      },
      { ...base.evses[1], connectors: [connector({ id: '1', standard: 'GBT_AC', max_electric_power: 7000 })] },
    ],
  });
}

describe('2.1.1 spec examples → 2.2.1 → 2.1.1', () => {
  test('the Location example comes back whole; the owner and time zone come from the connection', () => {
    const parsed = v211.locationSchema.parse(fixture('locations_example.json'));
    const internal = locationFrom211(parsed, BRUSSELS);
    assert.deepEqual(internal.losses, []);
    assert.deepEqual(wire(locationSchema.parse(wire(internal.value))), wire(internal.value), 'the result is a valid 2.2.1 Location as our schema reads it');
    assert.equal(internal.value.country_code, 'BE');
    assert.equal(internal.value.publish, true);
    assert.equal(internal.value.parking_type, 'ON_STREET');
    assert.deepEqual(internal.value.evses[0]?.connectors[0]?.tariff_ids, ['11']);
    assert.equal(internal.value.evses[0]?.connectors[0]?.max_voltage, 220);
    const back = locationTo211(internal.value);
    assert.deepEqual(back.losses, []);
    // time_zone was not in the example: it is the connection's, and is sent from then on.
    assert.deepEqual(wire(back.value), wire({ ...parsed, time_zone: 'Europe/Brussels' }));
  });

  test('the opening hours and energy mix examples come back whole inside a Location', () => {
    const base = fixture('locations_example.json');
    for (const file of ['locations_energy_mix_example_simple.json', 'locations_energy_mix_example_tariff_name.json', 'locations_energy_mix_example_complete.json', 'locations_regular_hours_example.json']) {
      const parsed = v211.locationSchema.parse({ ...base, ...fixtureMember(file) });
      const internal = locationFrom211(parsed, BRUSSELS);
      assert.deepEqual(internal.losses, [], file);
      const back = locationTo211(internal.value);
      assert.deepEqual(back.losses, [], file);
      assert.deepEqual(wire(back.value), wire({ ...parsed, time_zone: 'Europe/Brussels' }), file);
    }
  });

  test('EnvironmentalImpact `source` ↔ `category`, nothing else changes', () => {
    const mix = v211.energyMixSchema.parse(fixtureMember('locations_energy_mix_example_complete.json')['energy_mix']);
    const internal = energyMixFrom211(mix);
    assert.deepEqual(internal.environ_impact, [
      { category: 'NUCLEAR_WASTE', amount: 0.0006 },
      { category: 'CARBON_DIOXIDE', amount: 372 },
    ]);
    assert.ok(energyMixSchema.safeParse(internal).success, 'a valid 2.2.1 EnergyMix');
    assert.deepEqual(wire(energyMixTo211(internal)), wire(mix));
  });

  const patches = [
    ['locations_patch_example_status.json', 'evse', v211.evsePatchSchema],
    ['locations_patch_example_remove_evse.json', 'evse', v211.evsePatchSchema],
    ['locations_patch_example_name.json', 'location', v211.locationPatchSchema],
    ['locations_patch_example_tariff.json', 'connector', v211.connectorPatchSchema],
  ] as const;
  for (const [file, level, schema] of patches) {
    test(`PATCH ${file} (${level}) comes back whole`, () => {
      const parsed = schema.parse(fixture(file)) as Record<string, unknown>;
      const internal = locationPatchFrom211(parsed, level);
      assert.deepEqual(internal.losses, []);
      const back = locationPatchTo211(internal.value as Record<string, unknown>, level);
      assert.deepEqual(back.losses, []);
      assert.deepEqual(wire(back.value), wire(parsed));
    });
  }

  test('the tariff PATCH renames tariff_id to a one-element tariff_ids', () => {
    const internal = locationPatchFrom211(v211.connectorPatchSchema.parse(fixture('locations_patch_example_tariff.json')), 'connector');
    assert.deepEqual(internal.value, { tariff_ids: ['15'] });
  });
});

describe('2.2.1 examples → 2.1.1 → 2.2.1', () => {
  for (const file of ['location_example.json', 'location_example_parking_garage_opening_hours.json', 'location_example_uc2_destination_charger.json']) {
    test(`${file} comes back whole, via a valid 2.1.1 Location`, () => {
      const original = locationSchema.parse(example(file));
      const sent = locationTo211(original);
      assert.deepEqual(sent.losses, []);
      const onTheWire = v211.locationSchema.safeParse(wire(sent.value));
      assert.ok(onTheWire.success, `${file}: ${JSON.stringify(onTheWire.error?.issues)}`);
      const back = locationFrom211(onTheWire.data, { countryCode: original.country_code, partyId: original.party_id });
      assert.deepEqual(back.losses, []);
      assert.deepEqual(wire(back.value), wire(original));
    });
  }

  test('an unpublished Location is never shown to a 2.1.1 partner', () => {
    notExpressible(() => locationTo211(locationSchema.parse(example('location_example_uc3_destination_charger_not_published.json'))), ['publish']);
    notExpressible(() => locationTo211(locationSchema.parse(example('location_example_uc4_limited_visibility.json'))), ['publish', 'publish_allowed_to']);
    notExpressible(() => locationTo211(locationSchema.parse(example('location_example_uc5_home_charge_point.json'))), ['publish', 'publish_allowed_to']);
  });

  test('the 2.2.1 opening hours and energy mix examples come back whole inside a Location', () => {
    const base = example('location_example.json');
    const cases = {
      'location_hours_247_open_exception_closing.json': (json: Record<string, unknown>) => ({ opening_times: json }),
      'location_hours_opening_hours_with_exceptional_closing.json': (json: Record<string, unknown>) => ({ opening_times: json }),
      'location_hours_opening_hours_with_exceptional_opening.json': (json: Record<string, unknown>) => ({ opening_times: json }),
      'location_regularhours_example.json': (json: Record<string, unknown>) => ({ opening_times: { ...(json['opening_times'] as object), twentyfourseven: false } }),
      'location_energymix_example_simple.json': (json: Record<string, unknown>) => json,
      'location_energymix_example_energy_provider.json': (json: Record<string, unknown>) => json,
      'location_energymix_example_complete.json': (json: Record<string, unknown>) => json,
    };
    for (const [file, embed] of Object.entries(cases)) {
      const original = locationSchema.parse({ ...base, ...embed(example(file)) });
      assert.ok(original.opening_times !== undefined || original.energy_mix !== undefined, `${file} is embedded`);
      const sent = locationTo211(original);
      assert.deepEqual(sent.losses, [], file);
      const back = locationFrom211(v211.locationSchema.parse(wire(sent.value)), { countryCode: 'BE', partyId: 'BEC' });
      assert.deepEqual(wire(back.value), wire(original), file);
    }
    assert.ok(hoursSchema.safeParse(example('location_hours_247_open_exception_closing.json')).success, 'the 24/7 example is an Hours object');
  });

  const patches = [
    ['location_patch_example_location.json', 'location'],
    ['location_patch_example_status.json', 'evse'],
    ['location_patch_example_remove_evse.json', 'evse'],
    ['location_patch_example_tariff.json', 'connector'],
  ] as const;
  for (const [file, level] of patches) {
    test(`PATCH ${file} (${level}) comes back whole`, () => {
      const original = example(file);
      const sent = locationPatchTo211(original, level);
      assert.deepEqual(sent.losses, []);
      const back = locationPatchFrom211(sent.value as Record<string, unknown>, level);
      assert.deepEqual(back.losses, []);
      assert.deepEqual(wire(back.value), wire(original));
    });
  }

  test('a Location using what 2.1.1 lacks comes back except exactly the fields the losses name', () => {
    const original = aRichLocation();
    const sent = locationTo211(original);
    assert.deepEqual(fields(sent.losses), [
      'parking_type',
      'address',
      'postal_code',
      'state',
      'coordinates.latitude',
      'evses[0].capabilities[1]',
      'evses[0].connectors[0].max_electric_power',
      'evses[0].connectors[0].tariff_ids[1]',
      'evses[0].connectors[1]',
      'evses[0].connectors[2]',
      'evses[1]',
      'facilities[1]',
      'opening_times.regular_hours',
    ]);
    const onTheWire = v211.locationSchema.safeParse(wire(sent.value));
    assert.ok(onTheWire.success, JSON.stringify(onTheWire.error?.issues));
    assert.equal(onTheWire.data.type, 'OTHER');
    assert.equal(onTheWire.data.postal_code, '');
    assert.equal(onTheWire.data.address, 'Sint-Pietersnieuwstraat 41, Campus Ufo, gebou');
    assert.deepEqual(onTheWire.data.coordinates, { latitude: '51.047600', longitude: '3.729940' });
    assert.equal(onTheWire.data.images[0]?.type, 'jpeg');
    assert.deepEqual(onTheWire.data.energy_mix?.environ_impact.map((impact) => impact.source), ['NUCLEAR_WASTE', 'CARBON_DIOXIDE']);
    assert.deepEqual(onTheWire.data.evses[0]?.connectors.map((connector) => [connector.id, connector.tariff_id]), [['1', '11']]);

    const back = locationFrom211(onTheWire.data, { countryCode: 'BE', partyId: 'BEC' });
    assert.deepEqual(fields(back.losses), ['type']);
    const lost = fields(sent.losses);
    // 5 decimals padded to 6 is the same number, not a loss; 2.1.1 cannot send it unpadded.
    assert.equal(back.value.coordinates.longitude, '3.729940');
    const padded = { ...original, coordinates: { ...original.coordinates, longitude: '3.729940' } };
    assert.deepEqual(omit(back.value, lost, { elements: false }), omit(padded, lost));
    assert.notDeepEqual(wire(back.value), wire(original), 'the losses are real');
  });
});

describe('targeted mappings', () => {
  const location = () => locationSchema.parse(example('location_example.json'));
  const location211 = () => v211.locationSchema.parse(fixture('locations_example.json'));

  test('parking_type ↔ LocationType, value by value', () => {
    const to = (parking_type: Location['parking_type']) => {
      const mapped = locationTo211({ ...location(), parking_type });
      return [mapped.value.type, fields(mapped.losses)];
    };
    assert.deepEqual(to('ON_STREET'), ['ON_STREET', []]);
    assert.deepEqual(to('PARKING_GARAGE'), ['PARKING_GARAGE', []]);
    assert.deepEqual(to('UNDERGROUND_GARAGE'), ['UNDERGROUND_GARAGE', []]);
    assert.deepEqual(to('PARKING_LOT'), ['PARKING_LOT', []]);
    assert.deepEqual(to('ON_DRIVEWAY'), ['OTHER', ['parking_type']]);
    assert.deepEqual(to('ALONG_MOTORWAY'), ['OTHER', ['parking_type']]);
    assert.deepEqual(to(undefined), ['UNKNOWN', []]);
    const from = (type: v211.LocationType) => {
      const mapped = locationFrom211({ ...location211(), type }, BRUSSELS);
      return [mapped.value.parking_type, fields(mapped.losses)];
    };
    assert.deepEqual(from('PARKING_LOT'), ['PARKING_LOT', []]);
    assert.deepEqual(from('UNDERGROUND_GARAGE'), ['UNDERGROUND_GARAGE', []]);
    assert.deepEqual(from('UNKNOWN'), [undefined, []]);
    assert.deepEqual(from('OTHER'), [undefined, ['type']]);
  });

  test('`only` keeps the one EVSE (and connector) a Session or CDR is about', () => {
    const one = locationTo211(location(), { evseUid: '3256', connectorId: '2' });
    assert.deepEqual(one.value.evses.map((evse) => [evse.uid, evse.connectors.map((connector) => connector.id)]), [['3256', ['2']]]);
    assert.deepEqual(one.losses, []);
    assert.deepEqual(locationTo211(location(), { evseUid: '3257' }).value.evses.map((evse) => evse.connectors.length), [1]);
    notExpressible(() => locationTo211(location(), { evseUid: '9999' }), ['evses']);
    notExpressible(() => locationTo211(location(), { evseUid: '3256', connectorId: '7' }), ['evses[0].connectors']);
    const gbt = { ...location(), evses: [{ ...location().evses[0]!, connectors: [{ ...location().evses[0]!.connectors[0]!, standard: 'GBT_DC' as const }] }] };
    notExpressible(() => locationTo211(gbt, { evseUid: '3256', connectorId: '1' }), ['evses[0].connectors[0].standard']);
  });

  test('Connector: max_voltage/max_amperage ↔ voltage/amperage, tariff_ids ↔ tariff_id', () => {
    const connector = connectorSchema.parse({ id: '1', standard: 'CHADEMO', format: 'CABLE', power_type: 'DC', max_voltage: 500, max_amperage: 125, tariff_ids: ['T1'], last_updated: '2020-01-01T00:00:00Z' });
    const sent = connectorTo211(connector);
    assert.deepEqual(wire(sent.value), { id: '1', standard: 'CHADEMO', format: 'CABLE', power_type: 'DC', voltage: 500, amperage: 125, tariff_id: 'T1', last_updated: '2020-01-01T00:00:00.000Z' });
    assert.deepEqual(wire(connectorFrom211(sent.value).value), wire(connector));
    assert.deepEqual(connectorFrom211({ ...sent.value, tariff_id: undefined }).value.tariff_ids, []);
    assert.equal(connectorTo211({ ...connector, tariff_ids: [] }).value.tariff_id, undefined);
    notExpressible(() => connectorTo211({ ...connector, standard: 'CHAOJI' }), ['standard']);
    notExpressible(() => connectorTo211({ ...connector, power_type: 'AC_2_PHASE', standard: 'PANTOGRAPH_TOP_DOWN' }), ['standard', 'power_type']);
  });

  test('an EVSE with no connector 2.1.1 can describe is not expressible; capabilities are filtered', () => {
    const evse = evseSchema.parse({ ...example('location_example.json'), ...(example('location_example.json')['evses'] as object[])[1] });
    notExpressible(() => evseTo211({ ...evse, connectors: evse.connectors.map((connector) => ({ ...connector, standard: 'NEMA_14_50' as const })) }), ['connectors']);
    const mapped = evseTo211({ ...evse, capabilities: ['TOKEN_GROUP_CAPABLE', 'RFID_READER', 'PED_TERMINAL'] });
    assert.deepEqual(mapped.value.capabilities, ['RFID_READER']);
    assert.deepEqual(fields(mapped.losses), ['capabilities[0]', 'capabilities[2]']);
    assert.deepEqual(wire(evseFrom211(mapped.value).value), wire({ ...evse, capabilities: ['RFID_READER'] }));
  });

  test('coordinates: 5 decimals padded without loss, 7 rounded half up with a loss', () => {
    const log = new LossLog();
    assert.equal(coordinateTo211('51.04759', 'latitude', log), '51.047590');
    assert.equal(coordinateTo211('-3.729944', 'longitude', log), '-3.729944');
    assert.deepEqual(log.losses, []);
    assert.equal(coordinateTo211('51.0475995', 'a', log), '51.047600');
    assert.equal(coordinateTo211('-3.7299444', 'b', log), '-3.729944');
    assert.equal(coordinateTo211('9.9999995', 'c', log), '10.000000');
    assert.equal(coordinateTo211('-0.0000004', 'd', log), '-0.000000');
    assert.deepEqual(fields(log.losses), ['a', 'b', 'c', 'd']);
  });

  test('2.1.1 ids: case folded with a loss, longer than 36 not expressible', () => {
    const base = location211();
    const folded = locationFrom211({ ...base, id: 'loc1', evses: [{ ...base.evses[0]!, evse_id: 'be-bec-e041503001' }] }, BRUSSELS);
    assert.equal(folded.value.id, 'LOC1');
    assert.equal(folded.value.evses[0]?.evse_id, 'BE-BEC-E041503001');
    assert.deepEqual(fields(folded.losses), ['id', 'evses[0].evse_id']);
    notExpressible(() => locationFrom211({ ...base, id: 'L'.repeat(37) }, BRUSSELS), ['id']);
    notExpressible(() => locationFrom211({ ...base, evses: [{ ...base.evses[0]!, uid: 'E'.repeat(39) }] }, BRUSSELS), ['evses[0].uid']);
  });

  test('2.1.1 Location without time_zone: the partner default, or not expressible', () => {
    const base = location211();
    assert.equal(locationFrom211({ ...base, time_zone: 'Europe/Paris' }, BRUSSELS).value.time_zone, 'Europe/Paris');
    notExpressible(() => locationFrom211(base, { countryCode: 'BE', partyId: 'BEC' }), ['time_zone']);
  });

  test('an empty 2.1.1 postal_code is "none" in 2.2.1, and back', () => {
    const internal = locationFrom211({ ...location211(), postal_code: '' }, BRUSSELS);
    assert.equal('postal_code' in internal.value, false);
    assert.deepEqual(internal.losses, []);
    const sent = locationTo211(internal.value);
    assert.equal(sent.value.postal_code, '');
    assert.deepEqual(fields(sent.losses), ['postal_code']);
  });

  test('2.1.1 opening hours with 24:00 are not 2.2.1 hours', () => {
    const opening_times = v211.hoursSchema.parse({ regular_hours: [{ weekday: 1, period_begin: '08:00', period_end: '24:00' }] });
    notExpressible(() => locationFrom211({ ...location211(), opening_times }, BRUSSELS), ['opening_times.regular_hours[0].period_end']);
  });

  test('PATCH: renames, refusals and losses of partial bodies', () => {
    assert.deepEqual(locationPatchTo211({ max_voltage: 400, max_amperage: 32, last_updated: '2020-01-01T00:00:00.000Z' }, 'connector').value, { voltage: 400, amperage: 32, last_updated: '2020-01-01T00:00:00.000Z' });
    assert.deepEqual(locationPatchTo211({ parking_type: 'UNDERGROUND_GARAGE' }, 'location').value, { type: 'UNDERGROUND_GARAGE' });
    assert.deepEqual(locationPatchTo211({ name: 'X' }, 'location').value, { name: 'X' }, 'a PATCH adds nothing required (no type, no postal_code)');
    notExpressible(() => locationPatchTo211({ publish: false }, 'location'), ['publish']);
    const cleared = locationPatchTo211({ tariff_ids: [], state: 'Hessen', flavour: 'x' }, 'connector');
    assert.deepEqual(cleared.value, {});
    assert.deepEqual(fields(cleared.losses), ['state', 'flavour', 'tariff_ids']);
    assert.deepEqual(fields(locationPatchTo211({ state: 'Hessen' }, 'location').losses), ['state']);
    const fromUnknown = locationPatchFrom211(v211.locationPatchSchema.parse({ type: 'UNKNOWN', postal_code: '' }), 'location');
    assert.deepEqual(fromUnknown.value, {});
    assert.deepEqual(fields(fromUnknown.losses), ['type', 'postal_code']);
    assert.deepEqual(locationPatchFrom211(v211.evsePatchSchema.parse({ uid: 'e1', status: 'BLOCKED' }), 'evse').value, { uid: 'E1', status: 'BLOCKED' });
  });
});
