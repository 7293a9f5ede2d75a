import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  zodErrorMessage,
  activeChargingProfileResultSchema,
  activeChargingProfileSchema,
  chargingProfileResponseSchema,
  hasAtMostOneDecimal,
  setChargingProfileSchema,
} from '@voltmesh/ocpi';
import { moduleOfCommand, resultSchemaOf } from './command-kinds.js';

const profile = (overrides: Record<string, unknown> = {}) => ({
  charging_rate_unit: 'W',
  charging_profile_period: [
    { start_period: 0, limit: 11000 },
    { start_period: 1800, limit: 7400.5 },
  ],
  ...overrides,
});
const set = (overrides: Record<string, unknown> = {}) => ({ charging_profile: profile(overrides), response_url: 'https://emsp.example/cp/1' });

/** The 2001 message a partner would get for this SetChargingProfile, or undefined when it is valid. */
function problemOf(body: unknown): string | undefined {
  const parsed = setChargingProfileSchema.safeParse(body);
  return parsed.success ? undefined : zodErrorMessage(parsed.error);
}

describe('ChargingProfile schemas (OCPI 2.2.1 §11)', () => {
  test('a valid SetChargingProfile is read with null optionals as absent and the DateTime normalised', () => {
    const parsed = setChargingProfileSchema.parse(set({ start_date_time: '2026-05-01T10:00:00Z', duration: 3600, min_charging_rate: 1400.5, meter_id: 'x', duration_extra: null }));
    assert.deepEqual(parsed, {
      charging_profile: {
        start_date_time: '2026-05-01T10:00:00.000Z',
        duration: 3600,
        charging_rate_unit: 'W',
        min_charging_rate: 1400.5,
        charging_profile_period: [
          { start_period: 0, limit: 11000 },
          { start_period: 1800, limit: 7400.5 },
        ],
      },
      response_url: 'https://emsp.example/cp/1',
    });
    assert.equal(problemOf(set({ min_charging_rate: null, duration: null, start_date_time: null })), undefined, 'null optionals are absent');
  });

  test('each rule names the field it breaks', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['a limit with two decimals', set({ charging_profile_period: [{ start_period: 0, limit: 16.25 }] }), /^charging_profile\.charging_profile_period\[0\]\.limit: must have at most 1 decimal/],
      ['a negative limit', set({ charging_profile_period: [{ start_period: 0, limit: -1 }] }), /^charging_profile\.charging_profile_period\[0\]\.limit: must not be negative/],
      ['a first period not at 0', set({ charging_profile_period: [{ start_period: 60, limit: 16 }] }), /^charging_profile\.charging_profile_period\[0\]\.start_period: the first period must start at 0/],
      [
        'periods out of order',
        set({ charging_profile_period: [{ start_period: 0, limit: 16 }, { start_period: 900, limit: 10 }, { start_period: 900, limit: 8 }] }),
        /^charging_profile\.charging_profile_period\[2\]\.start_period: must be greater than the previous period's 900/,
      ],
      ['a fractional start_period', set({ charging_profile_period: [{ start_period: 0.5, limit: 16 }] }), /^charging_profile\.charging_profile_period\[0\]\.start_period: must be a whole number/],
      ['another unit', set({ charging_rate_unit: 'kW' }), /^charging_profile\.charging_rate_unit:/],
      ['min_charging_rate with two decimals', set({ min_charging_rate: 6.05 }), /^charging_profile\.min_charging_rate: must have at most 1 decimal/],
      ['a negative duration', set({ duration: -1 }), /^charging_profile\.duration: must not be negative/],
      ['a start with an offset', set({ start_date_time: '2026-05-01T10:00:00+02:00' }), /^charging_profile\.start_date_time: must be an OCPI DateTime/],
      ['no period', set({ charging_profile_period: [] }), /^charging_profile\.charging_profile_period: must have at least one period/],
      ['no response_url', { charging_profile: profile() }, /^response_url:/],
      ['a response_url that is not http(s)', { charging_profile: profile(), response_url: 'ftp://emsp.example/x' }, /^response_url: must be an http\(s\) URL/],
    ];
    for (const [what, body, pattern] of cases) assert.match(problemOf(body) ?? '(accepted)', pattern, what);
  });

  test('one decimal is judged on the number as sent', () => {
    for (const value of [0, 16, 16.5, 7400.1, 1e21]) assert.equal(hasAtMostOneDecimal(value), true, String(value));
    for (const value of [16.25, 0.05, 1e-7, 0.1 * 3]) assert.equal(hasAtMostOneDecimal(value), false, String(value));
  });

  test('ActiveChargingProfile needs its start; an ACCEPTED ActiveChargingProfileResult needs its profile', () => {
    assert.match(zodErrorMessage(activeChargingProfileSchema.safeParse({ charging_profile: profile() }).error!), /^start_date_time:/);
    const active = { start_date_time: '2026-05-01T10:00:00Z', charging_profile: profile() };
    assert.equal(activeChargingProfileResultSchema.safeParse({ result: 'ACCEPTED', profile: active }).success, true, 'ACCEPTED with a profile');
    assert.match(zodErrorMessage(activeChargingProfileResultSchema.safeParse({ result: 'ACCEPTED' }).error!), /^profile: is required when result is ACCEPTED/);
    assert.equal(activeChargingProfileResultSchema.safeParse({ result: 'REJECTED' }).success, true, 'REJECTED without a profile');
    assert.equal(chargingProfileResponseSchema.safeParse({ result: 'TOO_OFTEN', timeout: 0 }).success, true, 'TOO_OFTEN is a response');
    assert.match(zodErrorMessage(chargingProfileResponseSchema.safeParse({ result: 'ACCEPTED' }).error!), /^timeout:/);
  });

  test('command types: which module, and which result schema a response_url takes', () => {
    assert.equal(moduleOfCommand('START_SESSION'), 'commands');
    assert.equal(moduleOfCommand('CLEAR_PROFILE'), 'chargingprofiles');
    assert.equal(moduleOfCommand('SELF_DESTRUCT'), undefined);
    assert.equal(resultSchemaOf('SET_CHARGING_PROFILE')?.safeParse({ result: 'UNKNOWN' }).success, true, 'UNKNOWN is a profile result');
    assert.equal(resultSchemaOf('START_SESSION')?.safeParse({ result: 'UNKNOWN' }).success, false, 'but not a command result');
    assert.equal(resultSchemaOf('CLEAR_PROFILE')?.safeParse({ result: 'EVSE_OCCUPIED' }).success, false, 'nor a command result a profile result');
    assert.equal(resultSchemaOf('SELF_DESTRUCT'), undefined);
  });
});
