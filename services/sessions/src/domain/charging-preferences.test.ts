import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChargingPreferences } from '@voltmesh/ocpi';
import { decideChargingPreferences } from './charging-preferences.js';
import type { ProfileType } from './tariff-choice.js';
import { after } from './test-builders.js';

const now = after(0);
const later = after(3_600).toISOString();
const all: ReadonlySet<ProfileType> = new Set(['REGULAR', 'CHEAP', 'FAST', 'GREEN']);
const prefs = (overrides: Partial<ChargingPreferences>): ChargingPreferences => ({ profile_type: 'REGULAR', ...overrides });

describe('ChargingPreferences answered by our CPO', () => {
  test('only an ACTIVE or PENDING session takes preferences', () => {
    assert.equal(decideChargingPreferences('ACTIVE', prefs({}), all, now), 'ACCEPTED');
    assert.equal(decideChargingPreferences('PENDING', prefs({}), all, now), 'ACCEPTED');
    for (const status of ['COMPLETED', 'INVALID', 'RESERVATION'] as const) assert.equal(decideChargingPreferences(status, prefs({}), all, now), 'NOT_POSSIBLE', status);
  });

  test('a profile without a tariff of its type is not supported, except REGULAR', () => {
    const regularOnly: ReadonlySet<ProfileType> = new Set(['REGULAR']);
    assert.equal(decideChargingPreferences('ACTIVE', prefs({ profile_type: 'FAST' }), regularOnly, now), 'PROFILE_TYPE_NOT_SUPPORTED');
    assert.equal(decideChargingPreferences('ACTIVE', prefs({ profile_type: 'REGULAR' }), new Set(), now), 'ACCEPTED');
    assert.equal(decideChargingPreferences('ACTIVE', prefs({ profile_type: 'FAST' }), all, now), 'ACCEPTED', 'FAST needs no departure nor energy need');
  });

  test('CHEAP and GREEN need departure_time, then energy_need', () => {
    for (const profile_type of ['CHEAP', 'GREEN'] as const) {
      assert.equal(decideChargingPreferences('ACTIVE', prefs({ profile_type }), all, now), 'DEPARTURE_REQUIRED');
      assert.equal(decideChargingPreferences('ACTIVE', prefs({ profile_type, departure_time: later }), all, now), 'ENERGY_NEED_REQUIRED');
      assert.equal(decideChargingPreferences('ACTIVE', prefs({ profile_type, departure_time: later, energy_need: 20 }), all, now), 'ACCEPTED');
    }
  });

  test('a departure not after now cannot be met', () => {
    assert.equal(decideChargingPreferences('ACTIVE', prefs({ profile_type: 'CHEAP', departure_time: now.toISOString(), energy_need: 5 }), all, now), 'NOT_POSSIBLE');
    assert.equal(decideChargingPreferences('ACTIVE', prefs({ departure_time: after(-60).toISOString() }), all, now), 'NOT_POSSIBLE');
  });
});
