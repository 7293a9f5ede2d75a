/*
 * step_size (REFERENCE §8.3 step 4, the spec's own examples): rounded once per session on the
 * total, with the step of the LAST relevant component, the surplus billed on that last line at its
 * price; TIME followed by PARKING_TIME rounds only the parking.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { priceSession, type PricingResult } from './index.js';
import { aComponent, anElement, aPeriod, aSession, aTariffInput } from './test-builders.js';

const BEFORE_17 = { start_time: '00:00', end_time: '17:00' };
const FROM_17 = { start_time: '17:00', end_time: '00:00' };

function surpluses(r: PricingResult, bucket: string): string[] {
  return r.periods.flatMap((p) => p.lines.filter((l) => l.bucket === bucket).map((l) => l.step_surplus));
}

test('ENERGY: the session total is rounded with the last step, the surplus billed at the last price', () => {
  // Spec: €0.20 before 17:00, €0.27 after, 500 Wh steps; 4.3 + 1.1 kWh = 5.4 ⇒ 5.5 kWh, not 4.3 + 1.5.
  // The first element's step (8 kWh) would give 8 kWh: only the last one counts.
  const tariff = aTariffInput({
    elements: [
      anElement([aComponent('ENERGY', '0.20', { step_size: 8000 })], BEFORE_17),
      anElement([aComponent('ENERGY', '0.27', { step_size: 500 })], FROM_17),
    ],
  });
  const r = priceSession(
    aSession(tariff, [aPeriod('2024-06-03T14:00:00Z', { energy: 4.3 }), aPeriod('2024-06-03T15:00:00Z', { energy: 1.1 })]),
  );
  assert.equal(r.billed_energy, '5.5000');
  assert.deepEqual(surpluses(r, 'ENERGY'), ['0.0000', '0.1000']);
  assert.equal(r.total_energy_cost.excl_vat, '1.1840'); // 4.3 × 0.20 + 1.2 × 0.27
});

test('TIME: 6 + 22 minutes around 17:00 with 10-minute steps bill 30 minutes, 24 of them after 17:00', () => {
  const tariff = aTariffInput({
    elements: [
      anElement([aComponent('TIME', '5.00', { step_size: 3600 })], BEFORE_17),
      anElement([aComponent('TIME', '7.00', { step_size: 600 })], FROM_17),
    ],
  });
  const r = priceSession(
    aSession(tariff, [aPeriod('2024-06-03T14:54:00Z', { time: '0.1' }), aPeriod('2024-06-03T15:00:00Z', { time: 22 / 60 })], {
      end_date_time: '2024-06-03T15:22:00Z',
    }),
  );
  assert.equal(r.billed_charging_time, '0.5000');
  assert.equal(surpluses(r, 'TIME')[0], '0.0000');
  assert.equal(r.total_time_cost.excl_vat, '3.3000'); // 0.1 h × 5 + 0.4 h × 7
});

test('PARKING_TIME: after 21 min charging + 7 min parked (5-min steps) charging is billed 21 min, parking 10', () => {
  const tariff = aTariffInput({
    elements: [anElement([aComponent('TIME', '1.00', { step_size: 300 }), aComponent('PARKING_TIME', '2.00', { step_size: 300 })])],
  });
  const r = priceSession(
    aSession(tariff, [aPeriod('2024-06-03T10:00:00Z', { time: '0.35' }), aPeriod('2024-06-03T10:21:00Z', { parking: 7 / 60 })], {
      end_date_time: '2024-06-03T10:28:00Z',
    }),
  );
  assert.equal(r.billed_charging_time, '0.3500');
  assert.equal(r.billed_parking_time, '0.1667');
  assert.equal(r.total_time_cost.excl_vat, '0.3500');
  assert.equal(r.total_parking_cost.excl_vat, '0.3333'); // 10 min × €2/h
});

test('TIME is rounded when the parking that follows is free (no parking element after 20:00)', () => {
  const tariff = aTariffInput({
    elements: [
      anElement([aComponent('TIME', '2.40', { step_size: 900 }), aComponent('PARKING_TIME', '1.00', { step_size: 900 })], {
        start_time: '08:00',
        end_time: '20:00',
      }),
      anElement([aComponent('TIME', '2.40', { step_size: 900 })]),
    ],
  });
  // 12 min charging from 19:48 local, 8 min parked from 20:00 (free): charging is rounded to 15 min.
  const r = priceSession(
    aSession(tariff, [aPeriod('2024-06-03T17:48:00Z', { time: '0.2' }), aPeriod('2024-06-03T18:00:00Z', { parking: 8 / 60 })], {
      end_date_time: '2024-06-03T18:08:00Z',
    }),
  );
  assert.equal(r.billed_charging_time, '0.2500');
  assert.equal(r.total_time_cost.excl_vat, '0.6000');
  assert.equal(r.total_parking_cost.excl_vat, '0.0000');
});

test('step_size 0 does not round; step_size 1 still rounds energy up to a whole Wh', () => {
  const billed = (step_size: number): string => {
    const tariff = aTariffInput({ elements: [anElement([aComponent('ENERGY', '1', { step_size })])] });
    return priceSession(aSession(tariff, [aPeriod('2024-06-03T10:00:00Z', { energy: '1.2345' })])).billed_energy;
  };
  assert.equal(billed(0), '1.2345');
  assert.equal(billed(1), '1.2350');
});
