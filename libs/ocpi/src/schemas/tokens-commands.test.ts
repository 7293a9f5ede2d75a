import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { zodErrorMessage } from '../ocpi-error.js';
import { commandResponseSchema, commandSchemas, commandResultSchema, startSessionSchema } from './commands.js';
import { authorizationInfoSchema, tokenSchema } from './tokens.js';

const examples = join(import.meta.dirname, '../../../../../shared/ocpi/examples/2.2.1');
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;
const issues = (result: z.ZodSafeParseResult<unknown>) => (result.success ? '' : zodErrorMessage(result.error));

describe('tokens (OCPI 2.2.1 §9)', () => {
  test('every official token example parses, the list one item by item', () => {
    for (const file of ['token_example_1_app_user.json', 'token_example_2_full_rfid.json', 'token_put_example.json']) {
      const result = tokenSchema.safeParse(read(file));
      assert.ok(result.success, `${file}: ${issues(result)}`);
    }
    assert.ok(tokenSchema.safeParse(read('transport_and_format_get_token_example.json')['data']).success, 'tokenSchema.safeParse(read("transport_and_format_get_token_example.json")["data"]).success');
    const list = read('transport_and_format_get_token_list_example.json')['data'] as unknown[];
    assert.ok(list.length > 0 && list.every((token) => tokenSchema.safeParse(token).success), 'list.length > 0 && list.every((token) => tokenSchema.safeParse(token).success)');
  });

  test('ids are CiStrings (upper-cased), lengths and enums are enforced, naming the field', () => {
    const token = read('token_example_2_full_rfid.json');
    assert.equal(tokenSchema.parse({ ...token, party_id: 'tnm' }).party_id, 'TNM');
    const refused = (change: Record<string, unknown>, field: RegExp) => {
      const result = tokenSchema.safeParse({ ...token, ...change });
      assert.equal(result.success, false, JSON.stringify(change));
      assert.match(issues(result), field);
    };
    refused({ uid: 'x'.repeat(37) }, /uid/);
    refused({ whitelist: 'SOMETIMES' }, /whitelist/);
    refused({ type: 'rfid' }, /type/);
    refused({ language: 'ITA' }, /language/);
    refused({ issuer: undefined }, /issuer/);
    refused({ last_updated: '2018-12-10T17:25:10+01:00' }, /last_updated/);
    assert.ok(tokenSchema.safeParse({ ...token, visual_number: null, energy_contract: null }).success, 'null optional fields read as absent');
  });

  test('AuthorizationInfo carries the full token, the permitted EVSEs and a reference', () => {
    const info = authorizationInfoSchema.parse({
      allowed: 'ALLOWED',
      token: read('token_example_1_app_user.json'),
      location: { location_id: 'LOC1', evse_uids: ['3256', '3257'] },
      authorization_reference: 'ref-1',
    });
    assert.deepEqual(info.location, { location_id: 'LOC1', evse_uids: ['3256', '3257'] });
    assert.equal(authorizationInfoSchema.safeParse({ allowed: 'MAYBE', token: read('token_example_1_app_user.json') }).success, false);
  });
});

describe('commands (OCPI 2.2.1 §10)', () => {
  const token = read('token_example_1_app_user.json');

  test('each command body by its type; connector_id needs evse_uid', () => {
    const start = { response_url: 'https://emsp.example/commands/START_SESSION/1', token, location_id: 'LOC1', evse_uid: '3256', connector_id: '1' };
    assert.ok(commandSchemas.START_SESSION.safeParse(start).success, 'commandSchemas.START_SESSION.safeParse(start).success');
    const alone = startSessionSchema.safeParse({ ...start, evse_uid: undefined });
    assert.equal(alone.success, false);
    assert.match(issues(alone), /evse_uid/);
    assert.ok(commandSchemas.STOP_SESSION.safeParse({ response_url: 'https://emsp.example/r/2', session_id: 'S1' }).success, 'commandSchemas.STOP_SESSION.safeParse({ response_url: "https://emsp.example/r/2", session_id: "S1...');
    assert.ok(commandSchemas.RESERVE_NOW.safeParse({ response_url: 'https://emsp.example/r/3', token, expiry_date: '2026-01-01T10:00:00Z', reservation_id: 'R1', location_id: 'LOC1' }).success, 'commandSchemas.RESERVE_NOW.safeParse({ response_url: "https://emsp.example/r/3", token, expiry_da...');
    assert.ok(commandSchemas.CANCEL_RESERVATION.safeParse({ response_url: 'https://emsp.example/r/4', reservation_id: 'R1' }).success, 'commandSchemas.CANCEL_RESERVATION.safeParse({ response_url: "https://emsp.example/r/4", reservati...');
    const unlock = commandSchemas.UNLOCK_CONNECTOR.safeParse({ response_url: 'https://emsp.example/r/5', location_id: 'LOC1', evse_uid: '3256' });
    assert.equal(unlock.success, false);
    assert.match(issues(unlock), /connector_id/);
    const badUrl = commandSchemas.STOP_SESSION.safeParse({ response_url: 'ftp://emsp.example/r', session_id: 'S1' });
    assert.match(issues(badUrl), /response_url/);
  });

  test('CommandResponse and CommandResult', () => {
    assert.deepEqual(commandResponseSchema.parse({ result: 'ACCEPTED', timeout: 30 }), { result: 'ACCEPTED', timeout: 30, message: [] });
    assert.equal(commandResponseSchema.safeParse({ result: 'ACCEPTED' }).success, false, 'timeout is required');
    assert.equal(commandResultSchema.parse({ result: 'CANCELED_RESERVATION' }).result, 'CANCELED_RESERVATION');
    assert.equal(commandResultSchema.safeParse({ result: 'DONE' }).success, false);
  });
});
