/*
 * previewPrice: the periods it synthesizes for a planned charge and the price of them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { previewPrice } from './index.js';
import { aComponent, anElement, aTariffInput } from './test-builders.js';

test('charges at max power until the energy is in, then parks for the rest of the stay', () => {
  const tariff = aTariffInput({ elements: [anElement([aComponent('ENERGY', '0.25'), aComponent('PARKING_TIME', '2.00', { step_size: 60 })])] });
  const r = previewPrice({ tariff, start_date_time: '2024-06-03T10:00:00Z', time_zone: 'Europe/Amsterdam', energy_kwh: 22, duration_minutes: 180, max_power_kw: 11 });
  assert.equal(r.charging_periods.length, 2); // 2 h charging, 1 h parking
  assert.equal(r.charging_periods[1]?.start_date_time, '2024-06-03T12:00:00.000Z');
  assert.equal(r.total_energy, '22.0000');
  assert.equal(r.total_charging_time, '2.0000');
  assert.equal(r.total_parking_time, '1.0000');
  assert.deepEqual(r.total_cost, { excl_vat: '7.5000', incl_vat: '7.5000' }); // 5.50 + 2.00
});

test('splits at a local time boundary so each side is priced by its own element', () => {
  const tariff = aTariffInput({
    elements: [anElement([aComponent('ENERGY', '0.30')], { start_time: '18:00', end_time: '22:00' }), anElement([aComponent('ENERGY', '0.20')])],
  });
  // 17:00 local (15:00Z) for 2 h at 10 kW: 10 kWh before 18:00 at 0.20, 10 after at 0.30.
  const r = previewPrice({ tariff, start_date_time: '2024-06-03T15:00:00Z', time_zone: 'Europe/Amsterdam', energy_kwh: 20, duration_minutes: 120, max_power_kw: 10 });
  assert.equal(r.total_energy_cost.excl_vat, '5.0000');
  assert.deepEqual(
    r.periods.map((p) => p.lines.find((l) => l.bucket === 'ENERGY')?.element_index),
    [1, 0],
  );
});

test('splits where min_kwh is reached, and caps the energy at what fits in the stay', () => {
  const tariff = aTariffInput({ elements: [anElement([aComponent('ENERGY', '0.40')], { min_kwh: 10 }), anElement([aComponent('ENERGY', '0')])] });
  const r = previewPrice({ tariff, start_date_time: '2024-06-03T10:00:00Z', time_zone: 'UTC', energy_kwh: 50, duration_minutes: 90, max_power_kw: 20 });
  assert.equal(r.delivered_energy_kwh, '30.0000'); // 1.5 h × 20 kW
  assert.equal(r.total_energy_cost.excl_vat, '8.0000'); // first 10 kWh free, 20 kWh × 0.40
});

test('without a power the energy is spread over the whole stay and nothing is parking', () => {
  const r = previewPrice({ tariff: aTariffInput(), start_date_time: '2024-06-03T10:00:00Z', energy_kwh: 7, duration_minutes: 45 });
  assert.equal(r.total_energy, '7.0000');
  assert.equal(r.total_parking_time, '0.0000');
  assert.equal(r.end_date_time, '2024-06-03T10:45:00.000Z');
  assert.deepEqual(r.total_cost, { excl_vat: '1.7500', incl_vat: '1.9250' });
});
