import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { commands } from '@voltmesh/proto';
import { commandResultPush, PROFILE_TIMEOUT_RESULT } from './command-result-push.js';

const RESPONSE_URL = 'https://emsp.example/ocpi/cp/results/7';
const inbound = (overrides: Partial<commands.Command>): commands.Command =>
  commands.Command.fromPartial({
    id: 'cmd-7',
    direction: commands.CommandDirection.COMMAND_DIRECTION_INBOUND,
    connectionId: 'emsp-1',
    cpo: { countryCode: 'NL', partyId: 'VLT' },
    emsp: { countryCode: 'DE', partyId: 'EMS' },
    sessionId: 'S1',
    state: commands.CommandState.COMMAND_STATE_COMPLETED,
    requestedAt: '2026-05-01T10:00:00.000Z',
    updatedAt: '2026-05-01T10:00:05.000Z',
    ...overrides,
  });
const profile = { start_date_time: '2026-05-01T10:00:00.000Z', charging_profile: { charging_rate_unit: 'A', charging_profile_period: [{ start_period: 0, limit: 16 }] } };

describe('results of partners’ commands and charging-profile requests, POSTed to their response_url', () => {
  test('each profile type posts its result object, validated by the type, once per command', () => {
    const cases: Array<[string, unknown, unknown]> = [
      ['SET_CHARGING_PROFILE', { response_url: RESPONSE_URL, charging_profile: profile.charging_profile }, { result: 'ACCEPTED' }],
      ['GET_ACTIVE_CHARGING_PROFILE', { response_url: RESPONSE_URL, duration: 600 }, { result: 'ACCEPTED', profile }],
      ['CLEAR_PROFILE', { response_url: RESPONSE_URL }, { result: 'UNKNOWN' }],
    ];
    for (const [type, ocpi, result] of cases) {
      const job = commandResultPush(inbound({ type, ocpiJson: JSON.stringify(ocpi), resultJson: JSON.stringify(result) }), '12', 'corr');
      assert.ok(job, `${type}: a job`);
      assert.deepEqual(
        { method: job.method, url: job.url, body: job.body, objectKey: job.objectKey, partnerId: job.partnerId, routing: job.routing },
        {
          method: 'POST',
          url: RESPONSE_URL,
          body: result,
          objectKey: 'command-results:cmd-7',
          partnerId: 'emsp-1',
          routing: { from: { countryCode: 'NL', partyId: 'VLT' }, to: { countryCode: 'DE', partyId: 'EMS' } },
        },
        type,
      );
    }
  });

  test('a profile request that timed out is posted REJECTED (OCPI has no TIMEOUT for profiles); a command’s TIMEOUT stays TIMEOUT', () => {
    const timedOut = { state: commands.CommandState.COMMAND_STATE_TIMEOUT, resultJson: JSON.stringify({ result: 'TIMEOUT', message: [] }) };
    for (const type of ['SET_CHARGING_PROFILE', 'GET_ACTIVE_CHARGING_PROFILE', 'CLEAR_PROFILE']) {
      const job = commandResultPush(inbound({ type, ocpiJson: JSON.stringify({ response_url: RESPONSE_URL }), ...timedOut }), '1', 'c');
      assert.deepEqual(job?.body, PROFILE_TIMEOUT_RESULT, type);
    }
    assert.deepEqual(PROFILE_TIMEOUT_RESULT, { result: 'REJECTED' });
    const stop = commandResultPush(inbound({ type: 'STOP_SESSION', ocpiJson: JSON.stringify({ response_url: RESPONSE_URL, session_id: 'S1' }), ...timedOut }), '1', 'c');
    assert.deepEqual(stop?.body, { result: 'TIMEOUT', message: [] });
  });

  test('a result that is not its type’s is INVALID_ARGUMENT (the consumer’s DLQ); no result yet is no job', () => {
    const invalid = (type: string, result: unknown) => () =>
      commandResultPush(inbound({ type, ocpiJson: JSON.stringify({ response_url: RESPONSE_URL }), resultJson: JSON.stringify(result) }), '1', 'c');
    const refused = (pattern: RegExp) => (error: unknown) => error instanceof AppError && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message);
    assert.throws(invalid('GET_ACTIVE_CHARGING_PROFILE', { result: 'ACCEPTED' }), refused(/result_json: profile: is required when result is ACCEPTED/));
    assert.throws(invalid('SET_CHARGING_PROFILE', { result: 'EVSE_OCCUPIED' }), refused(/result_json: result:/));
    assert.throws(invalid('SELF_DESTRUCT', { result: 'ACCEPTED' }), refused(/unknown command type SELF_DESTRUCT/));
    assert.equal(commandResultPush(inbound({ type: 'CLEAR_PROFILE', ocpiJson: JSON.stringify({ response_url: RESPONSE_URL }), resultJson: '' }), '1', 'c'), undefined);
  });
});
