import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aTariff } from '@voltmesh/testing';
import { chooseTariff, supportedProfiles } from './tariff-choice.js';
import { T0 } from './test-builders.js';

const at = T0;

describe('the tariff in force at a session start', () => {
  test('a REGULAR or untyped tariff, the first listed on the connector', () => {
    const untyped = aTariff({ id: 'PLAIN' });
    const regular = aTariff({ id: 'REG', type: 'REGULAR' });
    assert.equal(chooseTariff([untyped, regular], { tokenType: 'RFID', at })?.id, 'PLAIN');
    assert.equal(chooseTariff([regular, untyped], { tokenType: 'RFID', at })?.id, 'REG');
  });

  test('AD_HOC_PAYMENT only for an ad-hoc session, which prefers it', () => {
    const adHoc = aTariff({ id: 'ADHOC', type: 'AD_HOC_PAYMENT' });
    const regular = aTariff({ id: 'REG', type: 'REGULAR' });
    assert.equal(chooseTariff([adHoc, regular], { tokenType: 'RFID', at })?.id, 'REG');
    assert.equal(chooseTariff([regular, adHoc], { tokenType: 'AD_HOC_USER', at })?.id, 'ADHOC');
    assert.equal(chooseTariff([adHoc], { tokenType: 'APP_USER', at }), undefined, 'no tariff applies: the session is not priced');
  });

  test('a PROFILE_* tariff only for the matching charging preference, which prefers it', () => {
    const fast = aTariff({ id: 'FAST', type: 'PROFILE_FAST' });
    const regular = aTariff({ id: 'REG' });
    assert.equal(chooseTariff([fast, regular], { tokenType: 'RFID', at })?.id, 'REG');
    assert.equal(chooseTariff([regular, fast], { tokenType: 'RFID', at, profile: 'FAST' })?.id, 'FAST');
    assert.equal(chooseTariff([regular, fast], { tokenType: 'RFID', at, profile: 'CHEAP' })?.id, 'REG');
  });

  test('only tariffs valid at the start: start_date_time inclusive, end_date_time exclusive', () => {
    const old = aTariff({ id: 'OLD', end_date_time: T0 });
    const current = aTariff({ id: 'NOW', start_date_time: T0 });
    const future = aTariff({ id: 'LATER', start_date_time: '2026-06-01T00:00:00.000Z' });
    assert.equal(chooseTariff([old, future, current], { tokenType: 'RFID', at })?.id, 'NOW');
    assert.equal(chooseTariff([old, future], { tokenType: 'RFID', at }), undefined);
  });

  test('profiles a connector supports: REGULAR always, the others with a valid PROFILE_ tariff', () => {
    const profiles = supportedProfiles([aTariff({ type: 'PROFILE_CHEAP' }), aTariff({ type: 'PROFILE_GREEN', end_date_time: T0 })], at);
    assert.deepEqual([...profiles].sort(), ['CHEAP', 'REGULAR']);
  });
});
