import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '@voltmesh/errors';
import { cdrSchema } from '@voltmesh/ocpi';
import { aChargingPeriod, aTariff } from '@voltmesh/testing';
import { cdrIdForSession } from './cdr-record.js';
import { cdrChargingPeriods, completeCpoCdr, cpoCdrRecord, draftCpoCdr, NO_TARIFF_REMARK, pricingCdrJson, validateCdr } from './cpo-cdr.js';
import { aCompletedSession, aPricingRecord } from './test-builders.js';

const NOW = '2026-01-01T11:00:05.000Z';

describe('the CDR of a completed session of our CPO', () => {
  test('carries every OCPI field the session has, its snapshots, and the engine totals as numbers', () => {
    const input = aCompletedSession({
      session: { id: 'sess-42', authorization_reference: 'AUTH1', meter_id: 'METER-7', auth_method: 'AUTH_REQUEST' },
    });
    const cdr = validateCdr(completeCpoCdr(draftCpoCdr(input, NOW), aPricingRecord()));
    assert.deepEqual([cdr.country_code, cdr.party_id, cdr.id, cdr.session_id], ['DE', 'ABC', 'SESS-42', 'sess-42'.toUpperCase()]);
    assert.deepEqual([cdr.start_date_time, cdr.end_date_time, cdr.last_updated], ['2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z', NOW]);
    assert.deepEqual(cdr.cdr_token, input.session.cdr_token);
    assert.deepEqual([cdr.auth_method, cdr.authorization_reference, cdr.meter_id, cdr.currency], ['AUTH_REQUEST', 'AUTH1', 'METER-7', 'EUR']);
    assert.deepEqual(cdr.cdr_location, input.cdrLocation);
    assert.deepEqual(cdr.tariffs, [aTariff()], 'the tariff in force at the start');
    assert.deepEqual(cdr.charging_periods, [aChargingPeriod()]);
    assert.deepEqual(cdr.total_cost, { excl_vat: 2.5, incl_vat: 3.025 });
    assert.deepEqual(cdr.total_energy_cost, { excl_vat: 2.5, incl_vat: 3.025 });
    assert.deepEqual([cdr.total_fixed_cost, cdr.total_time_cost, cdr.total_parking_cost, cdr.total_reservation_cost], Array(4).fill({ excl_vat: 0, incl_vat: 0 }));
    assert.deepEqual([cdr.total_energy, cdr.total_time, cdr.total_parking_time], [10, 1, 0]);
    assert.equal(cdr.remark, undefined);
    assert.ok(cdrSchema.safeParse(cdr).success, 'a valid OCPI CDR');
    assert.match(JSON.stringify(cdr), /"incl_vat":3\.025[,}]/, 'the JSON number prints exactly as the engine figure');
  });

  test('its record keeps the engine figures as decimal strings and the pricing with its breakdown', () => {
    const pricing = aPricingRecord({ total_cost: { excl_vat: '2.5000', incl_vat: '3.0250' } });
    const cdr = validateCdr(completeCpoCdr(draftCpoCdr(aCompletedSession(), NOW), pricing));
    const record = cpoCdrRecord(cdr, pricing);
    assert.deepEqual([record.key, record.role, record.id, record.session_id], ['DE*ABC*SESSION1', 'CPO', 'SESSION1', 'SESSION1']);
    assert.deepEqual([record.emsp, record.contract_id], [{ country_code: 'DE', party_id: 'EMS' }, 'DE-EMS-C12345678-X']);
    assert.deepEqual([record.total_cost_excl_vat, record.total_cost_incl_vat, record.created_at], ['2.5000', '3.0250', NOW]);
    assert.deepEqual(JSON.parse(record.pricing_json), pricing);
    assert.deepEqual(JSON.parse(record.ocpi_json), cdr);
  });

  test('drops the Session-only dimensions, and a period left with none', () => {
    const periods = cdrChargingPeriods(
      aCompletedSession({
        session: {
          charging_periods: [
            aChargingPeriod({
              dimensions: [
                { type: 'ENERGY', volume: 4 },
                { type: 'CURRENT', volume: 16 },
                { type: 'ENERGY_EXPORT', volume: 0 },
                { type: 'ENERGY_IMPORT', volume: 4 },
                { type: 'POWER', volume: 11 },
                { type: 'STATE_OF_CHARGE', volume: 80 },
                { type: 'MAX_POWER', volume: 11 },
                { type: 'TIME', volume: 0.5 },
              ],
            }),
            aChargingPeriod({ start_date_time: '2026-01-01T10:20:00.000Z', dimensions: [{ type: 'STATE_OF_CHARGE', volume: 85 }] }),
            aChargingPeriod({ start_date_time: '2026-01-01T10:30:00.000Z', dimensions: [{ type: 'PARKING_TIME', volume: 0.5 }, { type: 'POWER', volume: 0 }] }),
          ],
        },
      }),
    );
    assert.deepEqual(
      periods.map((period) => [period.start_date_time, period.dimensions.map((dimension) => dimension.type)]),
      [
        ['2026-01-01T10:00:00.000Z', ['ENERGY', 'MAX_POWER', 'TIME']],
        ['2026-01-01T10:30:00.000Z', ['PARKING_TIME']],
      ],
    );
  });

  test('a session without periods gets one at its start: ENERGY = kwh, TIME = the whole session, under its tariff', () => {
    const input = aCompletedSession({ session: { charging_periods: [], kwh: 7.5, end_date_time: '2026-01-01T11:30:00.000Z' } });
    assert.deepEqual(cdrChargingPeriods(input), [
      {
        start_date_time: '2026-01-01T10:00:00.000Z',
        dimensions: [
          { type: 'ENERGY', volume: 7.5 },
          { type: 'TIME', volume: 1.5 },
        ],
        tariff_id: 'TARIFF1',
      },
    ]);
    const onlySessionDimensions = aCompletedSession({ session: { charging_periods: [aChargingPeriod({ dimensions: [{ type: 'POWER', volume: 3 }] })] } });
    assert.equal(cdrChargingPeriods(onlySessionDimensions)[0]?.dimensions[0]?.volume, 10, 'periods with nothing left count as none');
  });

  test('without a tariff: total_cost 0, no tariffs, a remark, the quantities measured', () => {
    const input = aCompletedSession({
      tariff: undefined,
      session: {
        charging_periods: [
          aChargingPeriod({ tariff_id: undefined, dimensions: [{ type: 'ENERGY', volume: 0.1 }, { type: 'TIME', volume: 0.5 }] }),
          aChargingPeriod({ tariff_id: undefined, start_date_time: '2026-01-01T10:30:00.000Z', dimensions: [{ type: 'ENERGY', volume: 0.2 }, { type: 'PARKING_TIME', volume: 0.25 }] }),
        ],
      },
    });
    const cdr = validateCdr(completeCpoCdr(draftCpoCdr(input, NOW), undefined));
    assert.deepEqual(cdr.total_cost, { excl_vat: 0, incl_vat: 0 });
    assert.deepEqual(cdr.tariffs, []);
    assert.equal(cdr.remark, NO_TARIFF_REMARK);
    assert.deepEqual([cdr.total_energy, cdr.total_time, cdr.total_parking_time], [0.3, 1, 0.25], 'exact sums: 0.1 + 0.2 = 0.3');
    assert.equal(cdr.total_energy_cost, undefined);
    const record = cpoCdrRecord(cdr, undefined);
    assert.deepEqual([record.total_cost_excl_vat, record.total_cost_incl_vat, record.pricing_json], ['0.0000', '0.0000', '']);
  });

  test('PriceCdr gets the location time zone as cdr_location.time_zone; the CDR itself stays OCPI 2.2.1', () => {
    const draft = draftCpoCdr(aCompletedSession({ timeZone: 'Europe/Berlin' }), NOW);
    const sent = JSON.parse(pricingCdrJson(draft, 'Europe/Berlin')) as { cdr_location: { time_zone?: string } };
    assert.equal(sent.cdr_location.time_zone, 'Europe/Berlin');
    assert.equal((JSON.parse(pricingCdrJson(draft, '')) as { cdr_location: { time_zone?: string } }).cdr_location.time_zone, undefined);
    const cdr = validateCdr(completeCpoCdr(draft, aPricingRecord()));
    assert.equal('time_zone' in cdr.cdr_location, false);
  });

  test('a CDR that fails the OCPI schema is an INTERNAL error listing the issues, never a half CDR', () => {
    const draft = draftCpoCdr(aCompletedSession(), NOW);
    const broken = completeCpoCdr(draft, aPricingRecord({ total_time: '1.0000', total_parking_time: '2.0000' }));
    assert.throws(
      () => validateCdr(broken),
      (error: unknown) => isAppError(error) && error.code === 'INTERNAL' && /total_parking_time: must not exceed total_time/.test(error.message) && Array.isArray(error.details['issues']),
    );
    const wrongCurrency = completeCpoCdr(draftCpoCdr(aCompletedSession({ tariff: aTariff({ currency: 'CHF' }) }), NOW), aPricingRecord());
    assert.throws(() => validateCdr(wrongCurrency), /tariffs\[0\]\.currency/);
  });

  test('the CDR id is the session id (upper case); a longer id gets a stable 36-character derivation', () => {
    assert.equal(cdrIdForSession('abc-1'), 'ABC-1');
    const long = 'x'.repeat(40);
    assert.equal(cdrIdForSession(long), cdrIdForSession(long.toUpperCase()));
    assert.equal(cdrIdForSession(long).length, 36);
    assert.notEqual(cdrIdForSession(long), cdrIdForSession(`${long}y`));
  });
});
