import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { periodsToAppend, replayWindowStart } from './session-periods.js';
import { aPeriodAt } from './test-builders.js';

const outOfOrder = (field: RegExp) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, 'INVALID_ARGUMENT', String(error));
  assert.match((error as Error).message, field);
  assert.match((error as Error).message, /out of order or overlapping/);
  return true;
};

describe('charging periods appended to a session', () => {
  test('periods after the last stored one are appended; a first session takes them all', () => {
    assert.deepEqual(periodsToAppend(undefined, [], [aPeriodAt(0), aPeriodAt(5)], 'charging_periods_json'), [aPeriodAt(0), aPeriodAt(5)]);
    assert.deepEqual(periodsToAppend(aPeriodAt(5), [], [aPeriodAt(10), aPeriodAt(15)], 'charging_periods_json'), [aPeriodAt(10), aPeriodAt(15)]);
    assert.equal(replayWindowStart(aPeriodAt(5), [aPeriodAt(10)]), undefined, 'nothing stored is needed to judge them');
  });

  test('a replay of the last stored period, or of several, is skipped; the new ones after it are appended', () => {
    const stored = [aPeriodAt(5), aPeriodAt(10)];
    assert.deepEqual(periodsToAppend(aPeriodAt(10), [aPeriodAt(10)], [aPeriodAt(10)], 'charging_periods_json'), []);
    assert.equal(replayWindowStart(aPeriodAt(10), [aPeriodAt(5), aPeriodAt(10), aPeriodAt(15)]), aPeriodAt(5).start_date_time);
    assert.deepEqual(periodsToAppend(aPeriodAt(10), stored, [aPeriodAt(5), aPeriodAt(10), aPeriodAt(15)], 'charging_periods_json'), [aPeriodAt(15)]);
  });

  test('another period at the instant of the last stored one, or before it, is refused naming it', () => {
    assert.throws(() => periodsToAppend(aPeriodAt(10), [aPeriodAt(10)], [aPeriodAt(10, 2)], 'charging_periods_json'), outOfOrder(/^charging_periods_json\[0\]\.start_date_time: .*other figures/));
    assert.throws(() => periodsToAppend(aPeriodAt(10), [aPeriodAt(10)], [aPeriodAt(7)], 'charging_periods_json'), outOfOrder(/^charging_periods_json\[0\]\.start_date_time: 2026-05-10T10:07:00.000Z/));
    assert.throws(() => periodsToAppend(aPeriodAt(10), [aPeriodAt(10)], [aPeriodAt(10), aPeriodAt(8)], 'ocpi_json.charging_periods'), outOfOrder(/^ocpi_json\.charging_periods\[1\]\.start_date_time/));
  });

  test('incoming periods must start strictly one after the other', () => {
    assert.throws(() => periodsToAppend(undefined, [], [aPeriodAt(5), aPeriodAt(5)], 'charging_periods_json'), outOfOrder(/^charging_periods_json\[1\]\.start_date_time/));
    assert.throws(() => periodsToAppend(undefined, [], [aPeriodAt(5), aPeriodAt(1)], 'charging_periods_json'), outOfOrder(/not after charging_periods_json\[0\]/));
  });
});
