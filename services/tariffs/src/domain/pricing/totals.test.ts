/*
 * Totals: VAT, min/max price, reservations, unmatched periods, the one rounding rule and the
 * refusal of bad input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '@voltmesh/errors';
import { priceCdr, priceSession } from './index.js';
import { aComponent, anElement, aPeriod, aSession, aTariffInput } from './test-builders.js';

const start = '2024-06-03T10:00:00Z';

describe('VAT', () => {
  test('applies per component; a component without vat adds none (spec: 20 kWh at €0.25 + €0.50 start fee)', () => {
    const tariff = aTariffInput({
      elements: [anElement([aComponent('FLAT', '0.50', { vat: 20 }), aComponent('ENERGY', '0.25', { vat: 10 }), aComponent('TIME', '1.00')])],
    });
    const r = priceSession(aSession(tariff, [aPeriod(start, { energy: 20, time: 1 })]));
    assert.deepEqual(r.total_fixed_cost, { excl_vat: '0.5000', incl_vat: '0.6000' });
    assert.deepEqual(r.total_energy_cost, { excl_vat: '5.0000', incl_vat: '5.5000' });
    assert.deepEqual(r.total_time_cost, { excl_vat: '1.0000', incl_vat: '1.0000' });
    assert.deepEqual(r.total_cost, { excl_vat: '6.5000', incl_vat: '7.1000' });
  });

  test('FLAT is billed once per session, not once per period', () => {
    const tariff = aTariffInput({ elements: [anElement([aComponent('FLAT', '0.50'), aComponent('ENERGY', '0.25')])] });
    const r = priceSession(aSession(tariff, [aPeriod(start, { energy: 1 }), aPeriod('2024-06-03T11:00:00Z', { energy: 1 })]));
    assert.equal(r.total_fixed_cost.excl_vat, '0.5000');
  });
});

describe('min_price and max_price', () => {
  test('a cheaper session is raised to min_price, excl and incl VAT separately; dimension totals stay', () => {
    const tariff = aTariffInput({ min_price: { excl_vat: 0.5, incl_vat: 0.55 } });
    const r = priceSession(aSession(tariff, [aPeriod(start, { energy: 1.2 })]));
    assert.deepEqual(r.total_cost, { excl_vat: '0.5000', incl_vat: '0.5500' });
    assert.deepEqual(r.total_cost_before_limits, { excl_vat: '0.3000', incl_vat: '0.3300' });
    assert.deepEqual(r.total_energy_cost, { excl_vat: '0.3000', incl_vat: '0.3300' });
    assert.deepEqual(r.price_limit, { excl_vat: 'MIN_PRICE', incl_vat: 'MIN_PRICE' });
  });

  test('a dearer session is capped at max_price (spec: 50 kWh at €0.25 + 10% capped at €10 / €11)', () => {
    const tariff = aTariffInput({ max_price: { excl_vat: 10, incl_vat: 11 } });
    const r = priceSession(aSession(tariff, [aPeriod(start, { energy: 50 })]));
    assert.deepEqual(r.total_cost, { excl_vat: '10.0000', incl_vat: '11.0000' });
    assert.deepEqual(r.price_limit, { excl_vat: 'MAX_PRICE', incl_vat: 'MAX_PRICE' });
  });

  test('a session between the bounds is untouched; a bound without incl_vat leaves the incl total alone', () => {
    const tariff = aTariffInput({ min_price: { excl_vat: 1 }, max_price: { excl_vat: 100 } });
    const within = priceSession(aSession(tariff, [aPeriod(start, { energy: 20 })]));
    assert.deepEqual(within.total_cost, { excl_vat: '5.0000', incl_vat: '5.5000' });
    assert.deepEqual(within.price_limit, { excl_vat: null, incl_vat: null });
    const below = priceSession(aSession(tariff, [aPeriod(start, { energy: 2 })]));
    assert.deepEqual(below.total_cost, { excl_vat: '1.0000', incl_vat: '0.5500' });
  });
});

describe('reservations', () => {
  const reservationTariff = aTariffInput({
    elements: [
      anElement([aComponent('FLAT', '2.00'), aComponent('TIME', '5.00', { step_size: 900 })], { reservation: 'RESERVATION' }),
      anElement([aComponent('TIME', '10.00')], { reservation: 'RESERVATION_EXPIRES' }),
      anElement([aComponent('FLAT', '0.50'), aComponent('ENERGY', '0.25'), aComponent('TIME', '1.00')]),
    ],
  });

  test('reserved time is priced by the RESERVATION element only, and charging by the others', () => {
    const r = priceSession(
      aSession(reservationTariff, [aPeriod('2024-06-03T09:50:00Z', { reservation: 10 / 60 }), aPeriod(start, { energy: 10, time: 1 })]),
    );
    // 2.00 + 10 min rounded to 15 min at €5/h; the charging start fee is not a reservation cost.
    assert.equal(r.total_reservation_cost.excl_vat, '3.2500');
    assert.equal(r.billed_reservation_time, '0.2500');
    assert.equal(r.total_fixed_cost.excl_vat, '0.5000');
    assert.equal(r.total_time_cost.excl_vat, '1.0000');
    assert.equal(r.total_energy_cost.excl_vat, '2.5000');
    assert.equal(r.periods[0]?.reservation, true);
  });

  test('an expired reservation is priced by RESERVATION_EXPIRES first, other dimensions by RESERVATION', () => {
    const periods = [aPeriod('2024-06-03T09:00:00Z', { reservation: 0.5 })];
    const session = aSession(reservationTariff, periods, { end_date_time: '2024-06-03T09:30:00Z' });
    const expired = priceSession({ ...session, reservation_expired: true });
    assert.equal(expired.total_reservation_cost.excl_vat, '7.0000'); // 2.00 flat + 0.5 h × 10
    const kept = priceSession(session);
    assert.equal(kept.total_reservation_cost.excl_vat, '4.5000'); // 2.00 flat + 0.5 h × 5
    assert.equal(kept.total_fixed_cost.excl_vat, '0.0000');
  });
});

test('a period no element prices costs 0 and is flagged, without failing the session', () => {
  const tariff = aTariffInput({ elements: [anElement([aComponent('ENERGY', '0.30')], { start_time: '08:00', end_time: '18:00' })] });
  const r = priceSession(aSession(tariff, [aPeriod('2024-06-03T15:00:00Z', { energy: 10 }), aPeriod('2024-06-03T16:00:00Z', { energy: 10 })]));
  assert.equal(r.total_cost.excl_vat, '3.0000'); // 17:00 local priced, 18:00 local not
  assert.equal(r.has_unmatched, true);
  assert.deepEqual(r.periods[0]?.unmatched, []);
  assert.deepEqual(r.periods[1]?.unmatched, ['ENERGY']);
  assert.equal(r.periods[1]?.lines[0]?.matched, false);
  assert.equal(r.periods[1]?.lines[0]?.element_index, null);
  assert.equal(r.periods[1]?.cost.excl_vat, '0.0000');
});

test('money is exact and rounded once, at the end, to 4 decimals half away from zero', () => {
  // Five lines of €0.00005: each shows 0.0001, the total is 0.00025 ⇒ 0.0003 (not 0.0005 from
  // adding rounded lines, not 0.0002 from banker's rounding).
  const tariff = aTariffInput({ elements: [anElement([aComponent('ENERGY', '0.00005')])] });
  const periods = [0, 1, 2, 3, 4].map((h) => aPeriod(`2024-06-03T1${h}:00:00Z`, { energy: 1 }));
  const r = priceSession(aSession(tariff, periods));
  assert.equal(r.periods[0]?.cost.excl_vat, '0.0001');
  assert.equal(r.total_cost.excl_vat, '0.0003');
  // 0.1 + 0.2 in floats is 0.30000000000000004; here 3 × 0.1 kWh at €1 is 0.3 exactly.
  const tenths = priceSession(aSession(aTariffInput({ elements: [anElement([aComponent('ENERGY', 1)])] }), [aPeriod(start, { energy: 0.1 }), aPeriod('2024-06-03T11:00:00Z', { energy: 0.2 })]));
  assert.equal(tenths.total_cost.excl_vat, '0.3000');
});

describe('bad input is refused with INVALID_ARGUMENT', () => {
  const invalid = (e: unknown): boolean => isAppError(e) && e.code === 'INVALID_ARGUMENT';

  test('a DateTime with an offset, an unknown zone, a period under another tariff', () => {
    const ok = aSession(aTariffInput(), [aPeriod(start, { energy: 1 })]);
    assert.throws(() => priceSession({ ...ok, start_date_time: '2024-06-03T10:00:00+02:00' }), invalid);
    assert.throws(() => priceSession({ ...ok, time_zone: 'Europe/Atlantis' }), invalid);
    assert.throws(() => priceSession({ ...ok, charging_periods: [{ ...aPeriod(start, { energy: 1 }), tariff_id: 'OTHER' }] }), invalid);
    assert.throws(() => priceSession({ ...ok, charging_periods: [aPeriod(start, { energy: 'lots' })] }), invalid);
  });

  test('a tariff with local-time restrictions needs a time zone; one without does not', () => {
    const local = aTariffInput({ elements: [anElement([aComponent('ENERGY', 1)], { day_of_week: ['MONDAY'] })] });
    assert.throws(() => priceSession(aSession(local, [aPeriod(start, { energy: 1 })], { time_zone: null })), invalid);
    const r = priceSession(aSession(aTariffInput(), [aPeriod(start, { energy: 1 })], { time_zone: null }));
    assert.equal(r.total_cost.excl_vat, '0.2500');
  });

  test('priceCdr refuses a CDR in another currency than the tariff', () => {
    const cdr = { start_date_time: start, end_date_time: '2024-06-03T11:00:00Z', currency: 'GBP', charging_periods: [aPeriod(start, { energy: 1 })] };
    assert.throws(() => priceCdr(cdr, aTariffInput()), invalid);
    assert.equal(priceCdr({ ...cdr, currency: 'EUR' }, aTariffInput()).total_cost.excl_vat, '0.2500');
  });
});
