/*
 * One test per TariffRestrictions field. Each tariff has a restricted element first (ENERGY at
 * €0.50) and an unrestricted default last (ENERGY at €0.25): "which element priced the period"
 * is the observable, and it flips when the rule is broken. Restrictions are read at the start of
 * each period, in the Location's time zone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { priceSession, type ChargingPeriod, type PricingResult, type TariffRestrictionsInput } from './index.js';
import { aComponent, anElement, aPeriod, aSession, aTariffInput } from './test-builders.js';

const RESTRICTED = 0;
const DEFAULT = 1;

function tariffWith(restrictions: TariffRestrictionsInput, type: 'ENERGY' | 'TIME' = 'ENERGY') {
  return aTariffInput({
    elements: [anElement([aComponent(type, '0.50')], restrictions), anElement([aComponent(type, '0.25')])],
  });
}

function price(restrictions: TariffRestrictionsInput, periods: ChargingPeriod[], timeZone = 'Europe/Amsterdam'): PricingResult {
  return priceSession(aSession(tariffWith(restrictions), periods, { time_zone: timeZone }));
}

/** The element that priced the ENERGY of each period. */
function elementsUsed(r: PricingResult): (number | null)[] {
  return r.periods.map((p) => p.lines.find((l) => l.bucket === 'ENERGY')?.element_index ?? null);
}

/** Element that prices a one-period session starting at `start` (UTC). */
function elementAt(restrictions: TariffRestrictionsInput, start: string, timeZone = 'Europe/Amsterdam'): number | null {
  return elementsUsed(price(restrictions, [aPeriod(start, { energy: 10 })], timeZone))[0] ?? null;
}

describe('time of day (local time)', () => {
  const daytime = { start_time: '08:00', end_time: '18:00' };

  test('is read in the Location zone, not UTC: 06:30Z is 08:30 in Amsterdam in summer', () => {
    assert.equal(elementAt(daytime, '2024-06-03T06:30:00Z'), RESTRICTED);
    assert.equal(elementAt(daytime, '2024-06-03T06:30:00Z', 'UTC'), DEFAULT);
  });

  test('start is inclusive, end exclusive', () => {
    assert.equal(elementAt(daytime, '2024-06-03T06:00:00Z'), RESTRICTED); // 08:00 local
    assert.equal(elementAt(daytime, '2024-06-03T16:00:00Z'), DEFAULT); // 18:00 local
    assert.equal(elementAt(daytime, '2024-06-03T15:59:00Z'), RESTRICTED); // 17:59 local
  });

  test('a range crossing midnight (22:00–06:00) covers late evening and early morning only', () => {
    const night = { start_time: '22:00', end_time: '06:00' };
    assert.equal(elementAt(night, '2024-06-03T20:00:00Z'), RESTRICTED); // 22:00 local
    assert.equal(elementAt(night, '2024-06-03T22:30:00Z'), RESTRICTED); // 00:30 local, next day
    assert.equal(elementAt(night, '2024-06-03T03:59:00Z'), RESTRICTED); // 05:59 local
    assert.equal(elementAt(night, '2024-06-03T04:00:00Z'), DEFAULT); // 06:00 local
    assert.equal(elementAt(night, '2024-06-03T10:00:00Z'), DEFAULT); // noon
  });

  test('end_time 00:00 means the end of the day', () => {
    const evening = { start_time: '18:00', end_time: '00:00' };
    assert.equal(elementAt(evening, '2024-06-03T21:59:00Z'), RESTRICTED); // 23:59 local
    assert.equal(elementAt(evening, '2024-06-03T22:00:00Z'), DEFAULT); // 00:00 local
  });

  test('on the DST days the offset of that instant is used (Europe/Amsterdam)', () => {
    const threeToFour = { start_time: '03:00', end_time: '04:00' };
    // Spring forward, 2024-03-31: 01:00Z is already 03:00 CEST. The day before, 01:00Z is 02:00 CET.
    assert.equal(elementAt(threeToFour, '2024-03-31T01:00:00Z'), RESTRICTED);
    assert.equal(elementAt(threeToFour, '2024-03-30T01:00:00Z'), DEFAULT);
    // Fall back, 2024-10-27: 02:00–03:00 local happens twice, at 00:xxZ (CEST) and 01:xxZ (CET).
    const twoToThree = { start_time: '02:00', end_time: '03:00' };
    assert.equal(elementAt(twoToThree, '2024-10-27T00:30:00Z'), RESTRICTED);
    assert.equal(elementAt(twoToThree, '2024-10-27T01:30:00Z'), RESTRICTED);
    assert.equal(elementAt(twoToThree, '2024-10-27T02:30:00Z'), DEFAULT); // 03:30 CET
  });
});

describe('dates and weekdays (local calendar)', () => {
  test('start_date is inclusive in local time: 23:30Z on New Year’s Eve is already 1 January', () => {
    assert.equal(elementAt({ start_date: '2025-01-01' }, '2024-12-31T23:30:00Z'), RESTRICTED);
    assert.equal(elementAt({ start_date: '2025-01-01' }, '2024-12-31T22:30:00Z'), DEFAULT);
  });

  test('end_date is exclusive in local time', () => {
    assert.equal(elementAt({ end_date: '2025-01-01' }, '2024-12-31T22:30:00Z'), RESTRICTED); // 23:30 local
    assert.equal(elementAt({ end_date: '2025-01-01' }, '2024-12-31T23:30:00Z'), DEFAULT); // 00:30 local, 1 Jan
  });

  test('day_of_week is the local weekday: Sunday 22:30Z is Monday in Amsterdam but Sunday in UTC', () => {
    const mondays = { day_of_week: ['MONDAY' as const] };
    assert.equal(elementAt(mondays, '2024-06-02T22:30:00Z'), RESTRICTED);
    assert.equal(elementAt(mondays, '2024-06-02T22:30:00Z', 'UTC'), DEFAULT);
    assert.equal(elementAt({ day_of_week: ['SATURDAY', 'SUNDAY'] }, '2024-06-02T10:00:00Z'), RESTRICTED);
  });
});

describe('energy so far (kWh consumed before the period)', () => {
  const periods = [
    aPeriod('2024-06-03T10:00:00Z', { energy: 15 }), // 0 kWh so far
    aPeriod('2024-06-03T11:00:00Z', { energy: 5 }), // 15 so far
    aPeriod('2024-06-03T12:00:00Z', { energy: 5 }), // 20 so far
  ];

  test('max_kwh holds while less than the value has been consumed', () => {
    assert.deepEqual(elementsUsed(price({ max_kwh: 20 }, periods)), [RESTRICTED, RESTRICTED, DEFAULT]);
  });

  test('min_kwh holds once at least the value has been consumed', () => {
    assert.deepEqual(elementsUsed(price({ min_kwh: 15 }, periods)), [DEFAULT, RESTRICTED, RESTRICTED]);
  });
});

describe('current and power (the period’s MIN_/MAX_ values, else its average)', () => {
  test('min_current holds when the lowest current reaches the value', () => {
    assert.equal(elementsUsed(price({ min_current: 32 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, minCurrent: 32 })]))[0], RESTRICTED);
    assert.equal(elementsUsed(price({ min_current: 32 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, minCurrent: 31 })]))[0], DEFAULT);
  });

  test('max_current holds while the highest current stays below the value', () => {
    assert.equal(elementsUsed(price({ max_current: 16 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, maxCurrent: 15 })]))[0], RESTRICTED);
    assert.equal(elementsUsed(price({ max_current: 16 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, maxCurrent: 16 })]))[0], DEFAULT);
  });

  test('a current restriction with no current reported does not hold (the default element prices)', () => {
    assert.equal(elementAt({ max_current: 16 }, '2024-06-03T10:00:00Z'), DEFAULT);
  });

  test('min_power holds from the value up', () => {
    assert.equal(elementsUsed(price({ min_power: 50 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, minPower: 50 })]))[0], RESTRICTED);
    assert.equal(elementsUsed(price({ min_power: 50 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, minPower: 49.9 })]))[0], DEFAULT);
  });

  test('max_power holds below the value; without power dimensions it is ENERGY / TIME', () => {
    assert.equal(elementsUsed(price({ max_power: 11 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, maxPower: 10.9 })]))[0], RESTRICTED);
    assert.equal(elementsUsed(price({ max_power: 11 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 1, maxPower: 11 })]))[0], DEFAULT);
    // 10 kWh in 0.5 h = 20 kW, above 11 kW.
    assert.equal(elementsUsed(price({ max_power: 11 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 10, time: 0.5 })]))[0], DEFAULT);
    assert.equal(elementsUsed(price({ max_power: 11 }, [aPeriod('2024-06-03T10:00:00Z', { energy: 5, time: 0.5 })]))[0], RESTRICTED);
  });
});

describe('session duration (seconds since session start)', () => {
  const periods = [aPeriod('2024-06-03T10:00:00Z', { energy: 5 }), aPeriod('2024-06-03T10:30:00Z', { energy: 5 }), aPeriod('2024-06-03T11:00:00Z', { energy: 5 })];

  test('min_duration holds once the session has lasted that long', () => {
    assert.deepEqual(elementsUsed(price({ min_duration: 3600 }, periods)), [DEFAULT, DEFAULT, RESTRICTED]);
  });

  test('max_duration holds while the session is shorter', () => {
    assert.deepEqual(elementsUsed(price({ max_duration: 1800 }, periods)), [RESTRICTED, DEFAULT, DEFAULT]);
  });
});

test('restrictions are AND-ed, and per dimension the first matching element wins', () => {
  const tariff = aTariffInput({
    elements: [
      anElement([aComponent('ENERGY', '0.50')], { start_time: '08:00', end_time: '18:00', day_of_week: ['SATURDAY'] }),
      anElement([aComponent('TIME', '2.00')], { max_duration: 3600 }),
      anElement([aComponent('ENERGY', '0.25'), aComponent('TIME', '1.00')]),
    ],
  });
  // Monday 12:00 local: the time holds but the weekday does not; TIME comes from another element.
  const r = priceSession(aSession(tariff, [aPeriod('2024-06-03T10:00:00Z', { energy: 10, time: 1 })]));
  const lines = r.periods[0]?.lines ?? [];
  assert.equal(lines.find((l) => l.bucket === 'ENERGY')?.element_index, 2);
  assert.equal(lines.find((l) => l.bucket === 'TIME')?.element_index, 1);
  assert.equal(r.total_cost.excl_vat, '4.5000'); // 10 × 0.25 + 1 h × 2.00
});
