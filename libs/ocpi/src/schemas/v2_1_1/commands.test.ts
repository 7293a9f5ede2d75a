import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { commandResponseSchema, commandSchemas, commandTypeSchema, reserveNowSchema, startSessionSchema } from './commands.js';

/** mod_commands.md (2.1.1) has no JSON examples: the bodies are built from its tables. */
const fixtures = join(import.meta.dirname, '../../../fixtures/2.1.1');
const token = JSON.parse(readFileSync(join(fixtures, 'tokens_example.json'), 'utf8')) as Record<string, unknown>;
const paths = (result: z.ZodSafeParseResult<unknown>) => (result.error?.issues ?? []).map((issue) => issue.path.join('.')).sort();
const responseUrl = 'https://emsp.example.com/ocpi/emsp/2.1.1/commands/START_SESSION/1';

describe('2.1.1 command schemas', () => {
  test('four command types: no CANCEL_RESERVATION', () => {
    assert.deepEqual(commandTypeSchema.options, ['RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR']);
    assert.equal(commandTypeSchema.safeParse('CANCEL_RESERVATION').success, false);
    assert.deepEqual(Object.keys(commandSchemas).sort(), [...commandTypeSchema.options].sort());
  });

  test('StartSession: a full 2.1.1 Token, location_id, optional evse_uid, nothing else', () => {
    const start = startSessionSchema.parse({ response_url: responseUrl, token, location_id: 'LOC1', connector_id: '1' });
    assert.deepEqual(Object.keys(start).sort(), ['location_id', 'response_url', 'token']);
    assert.equal(start.token.auth_id, 'DE8ACC12E46L89');
    assert.deepEqual(paths(startSessionSchema.safeParse({ response_url: responseUrl, token: { ...token, auth_id: undefined }, location_id: 'LOC1' })), ['token.auth_id']);
  });

  test('ReserveNow: reservation_id is an int', () => {
    const reserve = { response_url: responseUrl, token, expiry_date: '2015-06-29T22:39:09Z', reservation_id: 12, location_id: 'LOC1' };
    assert.equal(reserveNowSchema.parse(reserve).reservation_id, 12);
    assert.deepEqual(paths(reserveNowSchema.safeParse({ ...reserve, reservation_id: '12' })), ['reservation_id']);
    assert.deepEqual(paths(reserveNowSchema.safeParse({ ...reserve, reservation_id: 1.5 })), ['reservation_id']);
  });

  test('StopSession and UnlockConnector: every id required, lengths per the tables', () => {
    assert.deepEqual(paths(commandSchemas.STOP_SESSION.safeParse({ response_url: responseUrl, session_id: 's'.repeat(37) })), ['session_id']);
    assert.deepEqual(paths(commandSchemas.UNLOCK_CONNECTOR.safeParse({ response_url: responseUrl, location_id: 'LOC1', evse_uid: '3256' })), ['connector_id']);
    assert.ok(commandSchemas.UNLOCK_CONNECTOR.safeParse({ response_url: responseUrl, location_id: 'L'.repeat(39), evse_uid: 'E'.repeat(39), connector_id: '1' }).success, 'ids of 39 characters are 2.1.1');
  });

  test('CommandResponse is just a result, TIMEOUT and UNKNOWN_SESSION included', () => {
    for (const result of ['NOT_SUPPORTED', 'REJECTED', 'ACCEPTED', 'TIMEOUT', 'UNKNOWN_SESSION']) assert.deepEqual(commandResponseSchema.parse({ result, timeout: 30 }), { result });
    assert.deepEqual(paths(commandResponseSchema.safeParse({ result: 'FAILED' })), ['result']);
  });
});
