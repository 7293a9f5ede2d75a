import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { cdrSchema, type Cdr } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { NotExpressible } from '../mapped.js';
import { cdrFrom211, cdrTo211 } from './cdrs.js';
import { tariffTo211 } from './tariffs.js';
import { fields, omit, plain } from './mapping-test-support.js';

const examples221 = join(import.meta.dirname, '../../../../../../shared/ocpi/examples/2.2.1');
const fixtures211 = join(import.meta.dirname, '../../../../../libs/ocpi/fixtures/2.1.1');

const refusal = (expected: string[]) => (error: unknown) => error instanceof NotExpressible && JSON.stringify(fields(error.losses)) === JSON.stringify(expected);

const cdr221 = (): Cdr => cdrSchema.parse(JSON.parse(readFileSync(join(examples221, 'cdr_example.json'), 'utf8')));

/**
 * The spec example with its known defects (NOTICE.md) corrected and nothing else: the trailing
 * comma after price_components, country "BE" → "BEL", price "2.00" → 2.00.
 */
function cdr211(): v211.Cdr {
  const text = readFileSync(join(fixtures211, 'cdrs_example.json'), 'utf8').replace('}],\n\t\t}],', '}]\n\t\t}],').replace('"price": "2.00"', '"price": 2.00');
  const raw = JSON.parse(text) as Record<string, unknown>;
  return v211.cdrSchema.parse({ ...raw, location: { ...(raw['location'] as object), country: 'BEL' } });
}

/** The losses tariffTo211 reports for a tariff, as cdrTo211 names them; `tariffs[0]` when it refuses it. */
function tariffOutcome(tariff: Cdr['tariffs'][number]): string[] {
  try {
    return tariffTo211(tariff).losses.map((loss) => `tariffs[0].${loss.field}`);
  } catch (error) {
    if (error instanceof NotExpressible) return ['tariffs[0]'];
    throw error;
  }
}

const token211 = { country_code: 'NL', party_id: 'TNM', uid: '12345678905880', type: 'RFID', contract_id: 'DE8ACC12E46L89' } as const;
const context211 = { countryCode: 'BE', partyId: 'BEC', cdrToken: token211 };
const TOKEN_LOSSES = ['cdr_token.uid', 'cdr_token.type', 'cdr_token.country_code', 'cdr_token.party_id'];

describe('2.1.1 spec CDR example → cdrFrom211 → cdrTo211', () => {
  test('comes back except exactly what the losses name', () => {
    const wire = cdr211();
    const inbound = cdrFrom211(wire, context211);
    // Fields of the embedded Location a CdrLocation has no place for (the example sets them).
    const inboundLosses = [
      'location.type',
      'location.last_updated',
      'location.evses[0].status',
      'location.evses[0].last_updated',
      'location.evses[0].connectors[0].voltage',
      'location.evses[0].connectors[0].amperage',
      'location.evses[0].connectors[0].tariff_id',
      'location.evses[0].connectors[0].last_updated',
    ];
    assert.deepEqual(fields(inbound.losses), inboundLosses);
    assert.deepEqual(plain(cdrSchema.parse(inbound.value)), plain(inbound.value), 'the result is a valid 2.2.1 CDR as it stands');
    assert.deepEqual(inbound.value.total_cost, { excl_vat: 4 });
    assert.equal(inbound.value.end_date_time, wire.stop_date_time);
    assert.deepEqual(inbound.value.cdr_token, token211);
    assert.deepEqual(inbound.value.cdr_location, {
      id: 'LOC1',
      name: 'Gent Zuid',
      address: 'F.Rooseveltlaan 3A',
      city: 'Gent',
      postal_code: '9000',
      country: 'BEL',
      coordinates: { latitude: '3.729944', longitude: '51.047599' },
      evse_uid: '3256',
      evse_id: 'BE-BEC-E041503003',
      connector_id: '1',
      connector_standard: 'IEC_62196_T2',
      connector_format: 'SOCKET',
      connector_power_type: 'AC_1_PHASE',
    });
    assert.deepEqual(inbound.value.tariffs[0]?.country_code, 'BE', 'tariffs get the CPO as owner');

    const outbound = cdrTo211(inbound.value, { connector: { voltage: 230, amperage: 64 } });
    assert.deepEqual(fields(outbound.losses), TOKEN_LOSSES);
    assert.deepEqual(omit(outbound.value, inboundLosses), omit(wire, inboundLosses));
    assert.equal(outbound.value.location.type, 'UNKNOWN', 'the snapshot does not know the location type');
    assert.equal(outbound.value.location.evses[0]?.status, 'UNKNOWN', 'nor the EVSE status');
  });
});

describe('2.2.1 CDR example → cdrTo211 → cdrFrom211', () => {
  test('comes back except exactly what the losses name', () => {
    const original = cdr221();
    const outbound = cdrTo211(original, { connector: { voltage: 220, amperage: 16 } });
    // The tariff's price component has a VAT rate: whatever tariffTo211 makes of it (a loss, or
    // refusing the tariff, which leaves it out of the CDR) is named under tariffs[0].
    const tariffLosses = tariffOutcome(original.tariffs[0]!);
    const outboundLosses = ['charging_periods[0].tariff_id', ...TOKEN_LOSSES, 'total_time_cost', ...tariffLosses, 'total_cost.incl_vat'];
    assert.deepEqual(fields(outbound.losses), outboundLosses);
    assert.ok(tariffLosses.some((field) => field.startsWith('tariffs[0]')), 'the VAT rate is named');
    const wire = v211.cdrSchema.safeParse(plain(outbound.value));
    assert.ok(wire.success, `a valid 2.1.1 CDR: ${JSON.stringify(wire.error?.issues)}`);

    const back = cdrFrom211(wire.data, { countryCode: original.country_code, partyId: original.party_id, cdrToken: original.cdr_token });
    // voltage/amperage have no place in a CdrLocation (they came from the caller).
    assert.deepEqual(fields(back.losses), ['location.evses[0].connectors[0].voltage', 'location.evses[0].connectors[0].amperage']);
    assert.deepEqual(omit(back.value, outboundLosses), omit(original, outboundLosses));
    assert.deepEqual(back.value.cdr_token, original.cdr_token, 'the caller restores the token 2.1.1 names by auth_id only');
  });
});

describe('The optional fields both versions have', () => {
  test('meter_id, remark and total_parking_time come back unchanged, both ways', () => {
    const original: Cdr = { ...cdr221(), meter_id: 'METER-1', remark: 'stopped by the driver', total_parking_time: 0.5, tariffs: [] };
    const outbound = cdrTo211(original, { connector: { voltage: 220, amperage: 16 } });
    assert.deepEqual([outbound.value.meter_id, outbound.value.remark, outbound.value.total_parking_time], ['METER-1', 'stopped by the driver', 0.5]);
    const back = cdrFrom211(v211.cdrSchema.parse(plain(outbound.value)), { countryCode: 'BE', partyId: 'BEC', cdrToken: original.cdr_token });
    const lost = fields(outbound.losses);
    assert.deepEqual(omit(back.value, lost), omit(original, lost));
  });
});

describe('CDR renames', () => {
  test('end_date_time → stop_date_time, contract_id → auth_id, cdr_location → Location with one EVSE and connector, Price → number', () => {
    const original = cdr221();
    const { value } = cdrTo211(original, { connector: { voltage: 220, amperage: 16 } });
    assert.equal(value.stop_date_time, original.end_date_time);
    assert.equal(value.auth_id, 'DE8ACC12E46L89');
    assert.equal(value.total_cost, 4);
    assert.ok(!('end_date_time' in value) && !('cdr_location' in value) && !('cdr_token' in value), 'no 2.2.1 names on the 2.1.1 wire');
    assert.deepEqual(
      [value.location.id, value.location.evses[0]?.uid, value.location.evses[0]?.evse_id, value.location.evses[0]?.connectors[0]?.id],
      ['LOC1', '3256', 'BE*BEC*E041503003', '1'],
    );
    assert.deepEqual(value.location.evses[0]?.connectors[0], {
      id: '1',
      standard: 'IEC_62196_T2',
      format: 'SOCKET',
      power_type: 'AC_1_PHASE',
      voltage: 220,
      amperage: 16,
      last_updated: original.last_updated,
    });
  });
});

describe('CDRs a 2.1.1 partner would misread are not expressible', () => {
  const original = cdr221();

  test('a credit CDR: the partner would book the refund as a charge', () => {
    const credit = { ...original, id: '12345-C', credit: true, credit_reference_id: '12345', total_cost: { excl_vat: -4, incl_vat: -4.4 } };
    assert.throws(() => cdrTo211(credit), refusal(['credit', 'total_cost']));
    assert.throws(() => cdrTo211({ ...original, credit: true, credit_reference_id: '12345' }), refusal(['credit']));
  });

  test('a negative total, a connector 2.1.1 cannot describe, no period 2.1.1 can state', () => {
    assert.throws(() => cdrTo211({ ...original, total_cost: { excl_vat: -1 } }), refusal(['total_cost']));
    const gbt = { ...original, cdr_location: { ...original.cdr_location, connector_standard: 'GBT_AC' as const, connector_power_type: 'AC_2_PHASE' as const } };
    assert.throws(() => cdrTo211(gbt), refusal(['cdr_location.connector_standard', 'cdr_location.connector_power_type']));
    const reservationOnly = { ...original, charging_periods: [{ start_date_time: original.start_date_time, dimensions: [{ type: 'RESERVATION_TIME' as const, volume: 0.5 }] }] };
    assert.throws(() => cdrTo211(reservationOnly), refusal(['charging_periods']));
  });
});

describe('What a 2.1.1 CDR cannot carry is a loss', () => {
  const original = cdr221();

  test('every 2.2.1-only field, named', () => {
    const full: Cdr = {
      ...original,
      session_id: 'S1',
      authorization_reference: 'AUTH1',
      signed_data: { encoding_method: 'OCMF', signed_values: [{ nature: 'Start', plain_data: 'x', signed_data: 'y' }] },
      total_fixed_cost: { excl_vat: 0 },
      total_energy_cost: { excl_vat: 0 },
      total_parking_cost: { excl_vat: 0 },
      total_reservation_cost: { excl_vat: 0 },
      invoice_reference_id: 'INV1',
      home_charging_compensation: false,
      credit_reference_id: 'OLD1',
      auth_method: 'COMMAND',
      tariffs: [],
    };
    const mapped = cdrTo211(full, { connector: { voltage: 220, amperage: 16 } });
    assert.deepEqual(fields(mapped.losses).sort(), [
      'auth_method',
      'authorization_reference',
      'cdr_token.country_code',
      'cdr_token.party_id',
      'cdr_token.type',
      'cdr_token.uid',
      'charging_periods[0].tariff_id',
      'credit_reference_id',
      'home_charging_compensation',
      'invoice_reference_id',
      'session_id',
      'signed_data',
      'total_cost.incl_vat',
      'total_energy_cost',
      'total_fixed_cost',
      'total_parking_cost',
      'total_reservation_cost',
      'total_time_cost',
    ]);
    assert.equal(mapped.value.auth_method, 'AUTH_REQUEST');
  });

  test('the embedded Location: no connector ratings → 0, no postal code → "", state, 7-decimal coordinates, dimensions 2.1.1 lacks', () => {
    const location = { ...original.cdr_location, postal_code: undefined, state: 'Oost-Vlaanderen', coordinates: { latitude: '51.0475993', longitude: '3.72994' } };
    const periods = [
      { start_date_time: original.start_date_time, dimensions: [{ type: 'TIME' as const, volume: 1.973 }, { type: 'MAX_POWER' as const, volume: 11 }] },
      { start_date_time: '2015-06-29T23:00:00.000Z', dimensions: [{ type: 'RESERVATION_TIME' as const, volume: 0.1 }] },
    ];
    const mapped = cdrTo211({ ...original, cdr_location: location, charging_periods: periods, tariffs: [] });
    const connector = mapped.value.location.evses[0]?.connectors[0];
    assert.deepEqual([connector?.voltage, connector?.amperage], [0, 0]);
    assert.equal(mapped.value.location.postal_code, '');
    assert.deepEqual(mapped.value.location.coordinates, { latitude: '51.047599', longitude: '3.729940' });
    assert.deepEqual(mapped.value.charging_periods, [{ start_date_time: original.start_date_time, dimensions: [{ type: 'TIME', volume: 1.973 }] }]);
    const named = fields(mapped.losses);
    for (const field of [
      'cdr_location.postal_code',
      'cdr_location.state',
      'cdr_location.connector_id',
      'cdr_location.coordinates.latitude',
      'charging_periods[0].dimensions[1]',
      'charging_periods[1]',
    ]) {
      assert.ok(named.includes(field), `${field} is named as a loss`);
    }
    assert.ok(!named.includes('cdr_location.coordinates.longitude'), 'padding 5 decimals to 6 loses nothing');
    assert.ok(v211.cdrSchema.safeParse(plain(mapped.value)).success, 'still a valid 2.1.1 CDR');
  });
});

describe('Tariffs in a CDR', () => {
  test('a tariff 2.1.1 cannot state (here a max_price) is left out with a loss; the CDR, and its total_cost, still go', () => {
    const original = cdr221();
    const capped = { ...original.tariffs[0]!, max_price: { excl_vat: 3 } };
    assert.throws(() => tariffTo211(capped), NotExpressible);
    const mapped = cdrTo211({ ...original, tariffs: [capped] }, { connector: { voltage: 220, amperage: 16 } });
    assert.deepEqual(mapped.value.tariffs, []);
    assert.equal(mapped.value.total_cost, 4);
    const loss = mapped.losses.find((entry) => entry.field === 'tariffs[0]');
    assert.match(loss?.reason ?? '', /max_price/);
  });
});

describe('cdrFrom211 specifics', () => {
  test('FLAT is a loss; a CDR with only FLAT periods, or an EVSE without evse_id, is not expressible; an empty postal code is none', () => {
    const wire = cdr211();
    const flatAndTime = { ...wire, charging_periods: [{ start_date_time: wire.start_date_time, dimensions: [{ type: 'FLAT' as const, volume: 1 }, { type: 'TIME' as const, volume: 1.973 }] }] };
    const mapped = cdrFrom211(flatAndTime, context211);
    assert.deepEqual(mapped.value.charging_periods[0]?.dimensions, [{ type: 'TIME', volume: 1.973 }]);
    assert.ok(fields(mapped.losses).includes('charging_periods[0].dimensions[0]'), 'FLAT named');
    const onlyFlat = { ...wire, charging_periods: [{ start_date_time: wire.start_date_time, dimensions: [{ type: 'FLAT' as const, volume: 1 }] }] };
    assert.throws(() => cdrFrom211(onlyFlat, context211), refusal(['charging_periods']));
    const evse = wire.location.evses[0]!;
    const noEvseId = { ...wire, location: { ...wire.location, evses: [{ ...evse, evse_id: undefined }] } };
    assert.throws(() => cdrFrom211(noEvseId, context211), refusal(['location.evses[0].evse_id']));
    assert.throws(() => cdrFrom211({ ...wire, total_time: -1, total_parking_time: undefined }, context211), refusal(['total_time']));
    const noPostalCode = cdrFrom211({ ...wire, location: { ...wire.location, postal_code: '' } }, context211);
    assert.equal(noPostalCode.value.cdr_location.postal_code, undefined);
  });

  test('a token the caller resolved for another auth_id is a bug', () => {
    assert.throws(() => cdrFrom211(cdr211(), { ...context211, cdrToken: { ...token211, contract_id: 'SOMEONE-ELSE' } }), (error: unknown) => error instanceof AppError && error.code === 'INTERNAL');
  });
});
