import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideProfileRequest, holdsCpoSession, profileReportResult } from './charging-profile.js';
import { activeChargingProfileResultSchema, activeChargingProfileSchema, chargingProfileResponseTypeSchema, hasAtMostOneDecimal, setChargingProfileSchema, type ChargingProfileResponse } from '@voltmesh/ocpi';
import type { CommandRecord } from './command.js';
import { applyPartnerAnswer, type CommandOutcome, type PartnerAnswer } from './command-transitions.js';
import { aCommand, aCpoSession, after, T0 } from './test-builders.js';

const profile = (overrides: Record<string, unknown> = {}) => ({
  charging_rate_unit: 'W',
  charging_profile_period: [
    { start_period: 0, limit: 11000 },
    { start_period: 900, limit: 7400.5 },
  ],
  ...overrides,
});
/** The first problem's path and message, or 'ok'. */
const problemOf = (input: unknown, schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } } = setChargingProfileSchema.shape.charging_profile): string => {
  const parsed = schema.safeParse(input);
  const issue = parsed.error?.issues[0];
  return parsed.success ? 'ok' : `${issue?.path.join('.')}: ${issue?.message}`;
};

describe('ChargingProfile validation', () => {
  test('a valid profile passes, optional fields absent or null, its DateTime normalised', () => {
    assert.equal(problemOf(profile()), 'ok');
    assert.equal(problemOf(profile({ start_date_time: null, duration: null, min_charging_rate: null })), 'ok');
    const parsed = setChargingProfileSchema.shape.charging_profile.parse(profile({ start_date_time: '2026-05-10T10:00:00', duration: 3600, min_charging_rate: 1.5, charging_rate_unit: 'A' }));
    assert.equal(parsed.start_date_time, '2026-05-10T10:00:00.000Z');
    assert.deepEqual([parsed.duration, parsed.min_charging_rate, parsed.charging_rate_unit], [3600, 1.5, 'A']);
  });

  test('the rate unit is W or A', () => {
    assert.match(problemOf(profile({ charging_rate_unit: 'kW' })), /^charging_rate_unit: /);
    assert.match(problemOf(profile({ charging_rate_unit: undefined })), /^charging_rate_unit: /);
  });

  test('limits and min_charging_rate: at most one decimal, not negative', () => {
    assert.ok(hasAtMostOneDecimal(16) && hasAtMostOneDecimal(16.5) && hasAtMostOneDecimal(0), 'whole numbers and one decimal');
    assert.ok(!hasAtMostOneDecimal(16.25) && !hasAtMostOneDecimal(0.1 * 3), 'two decimals, or float noise');
    assert.equal(problemOf(profile({ charging_profile_period: [{ start_period: 0, limit: 16.25 }] })), 'charging_profile_period.0.limit: must have at most 1 decimal');
    assert.equal(problemOf(profile({ charging_profile_period: [{ start_period: 0, limit: -1 }] })), 'charging_profile_period.0.limit: must not be negative');
    assert.equal(problemOf(profile({ min_charging_rate: 6.05 })), 'min_charging_rate: must have at most 1 decimal');
  });

  test('periods: whole seconds from 0, strictly ascending; a profile to set needs one', () => {
    assert.equal(problemOf(profile({ charging_profile_period: [{ start_period: 60, limit: 1 }] })), 'charging_profile_period.0.start_period: the first period must start at 0');
    assert.equal(
      problemOf(profile({ charging_profile_period: [{ start_period: 0, limit: 1 }, { start_period: 600, limit: 2 }, { start_period: 600, limit: 3 }] })),
      "charging_profile_period.2.start_period: must be greater than the previous period's 600 (ascending order)",
    );
    assert.match(problemOf(profile({ charging_profile_period: [{ start_period: 0, limit: 1 }, { start_period: 1.5, limit: 2 }] })), /^charging_profile_period\.1\.start_period: must be a whole number/);
    assert.equal(problemOf(profile({ charging_profile_period: [] })), 'charging_profile_period: must have at least one period');
    assert.match(problemOf({ charging_profile: profile(), response_url: 'ftp://x' }, setChargingProfileSchema), /^response_url: /);
  });

  test('an ActiveChargingProfile needs its start; an ActiveChargingProfileResult ACCEPTED needs the profile', () => {
    assert.equal(problemOf({ start_date_time: '2026-05-10T10:00:00Z', charging_profile: profile() }, activeChargingProfileSchema), 'ok');
    assert.match(problemOf({ charging_profile: profile() }, activeChargingProfileSchema), /^start_date_time: /);
    assert.equal(problemOf({ result: 'ACCEPTED' }, activeChargingProfileResultSchema), 'profile: is required when result is ACCEPTED');
    assert.equal(problemOf({ result: 'UNKNOWN' }, activeChargingProfileResultSchema), 'ok');
  });
});

describe('our request at a partner CPO: what its ChargingProfileResponse does to the command', () => {
  const answer = (result: ChargingProfileResponse['result'], timeout = 20): PartnerAnswer => {
    const response = { result, timeout };
    return { kind: 'profileResponse', response, responseJson: JSON.stringify(response) };
  };
  const next = (outcome: CommandOutcome): CommandRecord => {
    assert.ok('changed' in outcome && outcome.changed, `expected a change, got ${JSON.stringify(outcome)}`);
    return outcome.command;
  };
  const request = () => aCommand({ type: 'SET_CHARGING_PROFILE', sessionId: 'S1', connectionId: 'conn-cpo', authorizationReference: '' });

  test('ACCEPTED waits for the result until received_at + timeout; REJECTED and TOO_OFTEN are REJECTED; NOT_SUPPORTED, UNKNOWN_SESSION as named', () => {
    const accepted = next(applyPartnerAnswer(request(), 'conn-cpo', answer('ACCEPTED', 20), after(2), after(4)));
    assert.deepEqual([accepted.state, accepted.deadline], ['ACCEPTED', after(22).toISOString()]);
    const expected = { REJECTED: 'REJECTED', TOO_OFTEN: 'REJECTED', NOT_SUPPORTED: 'NOT_SUPPORTED', UNKNOWN_SESSION: 'UNKNOWN_SESSION' } as const;
    for (const [result, state] of Object.entries(expected) as [keyof typeof expected, string][]) {
      const answered = next(applyPartnerAnswer(request(), 'conn-cpo', answer(result), after(1), after(1)));
      assert.deepEqual([answered.state, answered.deadline], [state, ''], result);
      assert.deepEqual(JSON.parse(answered.responseJson), { result, timeout: 20 }, 'the exact answer is kept');
    }
    assert.deepEqual([...chargingProfileResponseTypeSchema.options].sort(), ['ACCEPTED', ...Object.keys(expected)].sort(), 'every response type is mapped');
  });

  test('the answer must come from the session’s connection', () => {
    assert.deepEqual(applyPartnerAnswer(request(), 'conn-other', answer('ACCEPTED'), after(1), after(1)), { refused: `command ${request().id} went to connection conn-cpo, not conn-other` });
  });
});

describe('a partner eMSP’s request to our CPO', () => {
  const facts = { now: new Date(T0), timeoutSeconds: 30, sessionHeld: true, sessionEnded: false };

  test('held and running: ACCEPTED with {result, timeout} and a deadline after the timeout', () => {
    assert.deepEqual(decideProfileRequest(facts), { state: 'ACCEPTED', response: { result: 'ACCEPTED', timeout: 30 }, deadline: after(30).toISOString() });
  });

  test('not held: UNKNOWN_SESSION (even when it has ended); ended: REJECTED; both final', () => {
    assert.deepEqual(decideProfileRequest({ ...facts, sessionHeld: false, sessionEnded: true }), { state: 'UNKNOWN_SESSION', response: { result: 'UNKNOWN_SESSION', timeout: 30 }, deadline: '' });
    assert.deepEqual(decideProfileRequest({ ...facts, sessionEnded: true }), { state: 'REJECTED', response: { result: 'REJECTED', timeout: 30 }, deadline: '' });
  });

  test('who holds a session: the token’s eMSP, over the connection that pushed a partner token; the START_SESSION claim before the CSMS reports it', () => {
    const ems = { countryCode: 'DE', partyId: 'EMS' };
    const session = { record: aCpoSession(), claim: undefined };
    assert.ok(holdsCpoSession(session, ems, 'conn-emsp'), 'the token’s eMSP over its connection');
    assert.ok(!holdsCpoSession(session, ems, 'conn-other'), 'the same party over another connection');
    assert.ok(!holdsCpoSession(session, { countryCode: 'FR', partyId: 'XYZ' }, 'conn-emsp'), 'another eMSP');
    const ownToken = aCpoSession({ token: { party: ems, uid: 'U1', type: 'RFID', contractId: 'DE-EMS-C00000001-X', connectionId: '' } });
    assert.ok(holdsCpoSession({ record: ownToken, claim: undefined }, ems, 'any-connection'), 'a token not pushed by a partner: the party decides');
    const claim = { commandId: 'c1', emsp: ems, connectionId: 'conn-emsp', claimedAt: T0 };
    assert.ok(holdsCpoSession({ record: undefined, claim }, ems, 'conn-emsp'), 'claimed by its START_SESSION');
    assert.ok(!holdsCpoSession({ record: undefined, claim }, ems, 'conn-other'), 'claimed over another connection');
    assert.ok(!holdsCpoSession(undefined, ems, 'conn-emsp'), 'unknown');
    const partnerSession = { ...aCpoSession(), role: 'EMSP' as const, cpoFacts: undefined, connectionId: 'conn-emsp' };
    assert.ok(!holdsCpoSession({ record: partnerSession, claim: undefined }, ems, 'conn-emsp'), 'a partner CPO’s session is never ours to limit');
  });

  test('what our CSMS reports: {result} of ACCEPTED, REJECTED, UNKNOWN; a GET’s ACCEPTED only with its profile', () => {
    assert.deepEqual(profileReportResult('SET_CHARGING_PROFILE', 'ACCEPTED'), { resultJson: '{"result":"ACCEPTED"}' });
    assert.deepEqual(profileReportResult('CLEAR_PROFILE', 'UNKNOWN'), { resultJson: '{"result":"UNKNOWN"}' });
    assert.deepEqual(profileReportResult('GET_ACTIVE_CHARGING_PROFILE', 'REJECTED'), { resultJson: '{"result":"REJECTED"}' });
    assert.match((profileReportResult('GET_ACTIVE_CHARGING_PROFILE', 'ACCEPTED') as { problem: string }).problem, /ReportActiveChargingProfile/);
    assert.match((profileReportResult('SET_CHARGING_PROFILE', 'FAILED') as { problem: string }).problem, /takes one of ACCEPTED, REJECTED, UNKNOWN/);
  });
});
