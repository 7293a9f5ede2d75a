import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { commandResponseSchema, commandResultSchema, commandSchemas, type CommandResult } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { NotExpressible, type Loss } from '../mapped.js';
import {
  commandFrom211,
  commandResponseFrom211,
  commandResponseTo211,
  commandResultFrom211,
  commandResultTo211,
  commandTo211,
  reservationIdTo211,
  type CommandBody,
} from './commands.js';

const fixtures = join(import.meta.dirname, '../../../../../libs/ocpi/fixtures/2.1.1');
const examples = join(import.meta.dirname, '../../../../../../shared/ocpi/examples/2.2.1');
const read = (dir: string, file: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const fields = (losses: Loss[]) => losses.map((loss) => loss.field);
const notExpressible = (map: () => unknown, expected: string[]) =>
  assert.throws(map, (error: unknown) => {
    assert.ok(error instanceof NotExpressible, `NotExpressible expected, got ${String(error)}`);
    assert.deepEqual(fields(error.losses), expected);
    return true;
  });

const TNM = { owner: { countryCode: 'NL', partyId: 'TNM' } };
const url = (command: string) => `https://emsp.example.com/ocpi/emsp/2.1.1/commands/${command}/42`;
/** mod_commands.md (2.1.1) has no JSON examples: bodies per its tables, with the spec's Token example. */
const token211 = read(fixtures, 'tokens_example.json');
const bodies211 = {
  START_SESSION: { response_url: url('START_SESSION'), token: token211, location_id: 'LOC1', evse_uid: '3256' },
  STOP_SESSION: { response_url: url('STOP_SESSION'), session_id: 'SESSION-1' },
  RESERVE_NOW: { response_url: url('RESERVE_NOW'), token: token211, expiry_date: '2015-06-29T22:39:09Z', reservation_id: 4711, location_id: 'LOC1', evse_uid: '3257' },
  UNLOCK_CONNECTOR: { response_url: url('UNLOCK_CONNECTOR'), location_id: 'LOC1', evse_uid: '3256', connector_id: '1' },
};

describe('2.1.1 commands → 2.2.1 → 2.1.1', () => {
  for (const type of v211.commandTypeSchema.options) {
    test(`${type} comes back whole, via a valid 2.2.1 body`, () => {
      const parsed = v211.commandSchemas[type].parse(bodies211[type]) as v211.CommandBodies[typeof type];
      const internal = commandFrom211(type, parsed, TNM);
      assert.deepEqual(internal.losses, []);
      const valid = commandSchemas[type].safeParse(wire(internal.value));
      assert.ok(valid.success, `${type}: ${JSON.stringify(valid.error?.issues)}`);
      const back = commandTo211(type, internal.value);
      assert.deepEqual(back.losses, []);
      assert.deepEqual(wire(back.value), wire(parsed));
    });
  }

  test('ReserveNow: the int reservation_id is a string in 2.2.1; the token gains its owner', () => {
    const internal = commandFrom211('RESERVE_NOW', v211.reserveNowSchema.parse(bodies211.RESERVE_NOW), TNM);
    assert.equal(internal.value.reservation_id, '4711');
    assert.deepEqual([internal.value.token.country_code, internal.value.token.party_id, internal.value.token.contract_id], ['NL', 'TNM', 'DE8ACC12E46L89']);
  });

  test('ids are folded like every 2.1.1 id, with a loss', () => {
    const stop = commandFrom211('STOP_SESSION', v211.stopSessionSchema.parse({ ...bodies211.STOP_SESSION, session_id: 'abc' }), TNM);
    assert.equal(stop.value.session_id, 'ABC');
    assert.deepEqual(fields(stop.losses), ['session_id']);
    const start = commandFrom211('START_SESSION', v211.startSessionSchema.parse({ ...bodies211.START_SESSION, token: { ...token211, uid: 'ab12' } }), TNM);
    assert.deepEqual(fields(start.losses), ['token.uid']);
    notExpressible(() => commandFrom211('UNLOCK_CONNECTOR', v211.unlockConnectorSchema.parse({ ...bodies211.UNLOCK_CONNECTOR, location_id: 'L'.repeat(38) }), TNM), ['location_id']);
  });
});

describe('2.2.1 commands → 2.1.1 → 2.2.1', () => {
  const token = read(examples, 'token_example_2_full_rfid.json');
  const tokenLosses = ['token.group_id', 'token.default_profile_type', 'token.energy_contract'];
  const cases: [v211.CommandType, Record<string, unknown>, string[]][] = [
    ['START_SESSION', { response_url: url('START_SESSION'), token, location_id: 'LOC1', evse_uid: '3256', connector_id: '2', authorization_reference: 'AUTH-1' }, [...tokenLosses, 'connector_id', 'authorization_reference']],
    ['STOP_SESSION', { response_url: url('STOP_SESSION'), session_id: 'SESSION-1' }, []],
    ['RESERVE_NOW', { response_url: url('RESERVE_NOW'), token, expiry_date: '2020-01-01T12:00:00Z', reservation_id: '17', location_id: 'LOC1', authorization_reference: 'AUTH-2' }, [...tokenLosses, 'authorization_reference']],
    ['UNLOCK_CONNECTOR', { response_url: url('UNLOCK_CONNECTOR'), location_id: 'LOC1', evse_uid: '3256', connector_id: '1' }, []],
  ];
  for (const [type, body, lost] of cases) {
    test(`${type} comes back except exactly ${lost.join(', ') || 'nothing'}`, () => {
      const original = commandSchemas[type].parse(body) as CommandBody;
      const sent = commandTo211(type, original);
      assert.deepEqual(fields(sent.losses), lost);
      const onTheWire = v211.commandSchemas[type].safeParse(wire(sent.value));
      assert.ok(onTheWire.success, `${type}: ${JSON.stringify(onTheWire.error?.issues)}`);
      const back = commandFrom211(type, onTheWire.data as v211.CommandBodies[typeof type], { owner: { countryCode: 'DE', partyId: 'TNM' } });
      assert.deepEqual(back.losses, []);
      const strip = (value: unknown) => {
        const copy = wire(value) as Record<string, Record<string, unknown>>;
        for (const field of lost) {
          const [head = '', tail] = field.split('.');
          if (tail === undefined) delete copy[head];
          else if (copy[head]) delete copy[head][tail];
        }
        return copy;
      };
      assert.deepEqual(strip(back.value), strip(original));
    });
  }

  test('CANCEL_RESERVATION does not exist in 2.1.1', () => {
    notExpressible(() => commandTo211('CANCEL_RESERVATION', commandSchemas.CANCEL_RESERVATION.parse({ response_url: url('CANCEL_RESERVATION'), reservation_id: '17' })), ['CANCEL_RESERVATION']);
  });

  test('reservation_id: only the decimal form of a safe integer is an int', () => {
    assert.equal(reservationIdTo211('0'), 0);
    assert.equal(reservationIdTo211('-5'), -5);
    assert.equal(reservationIdTo211('9007199254740991'), Number.MAX_SAFE_INTEGER);
    for (const id of ['R-17', '007', '1.5', '9007199254740993', '1E3', '']) notExpressible(() => reservationIdTo211(id), ['reservation_id']);
  });
});

describe('command responses and results', () => {
  test('the synchronous CommandResponse: same results, timeout and message are losses', () => {
    const response = commandResponseSchema.parse({ result: 'ACCEPTED', timeout: 30, message: [{ language: 'en', text: 'Forwarded' }] });
    const sent = commandResponseTo211(response);
    assert.deepEqual(sent.value, { result: 'ACCEPTED' });
    assert.deepEqual(fields(sent.losses), ['timeout', 'message[0]']);
    for (const result of commandResponseSchema.shape.result.options) assert.equal(commandResponseTo211({ result, timeout: 5, message: [] }).value.result, result);
  });

  test('a 2.1.1 synchronous CommandResponse: our timeout; TIMEOUT reads as REJECTED', () => {
    assert.deepEqual(commandResponseFrom211({ result: 'UNKNOWN_SESSION' }, 45), { value: { result: 'UNKNOWN_SESSION', timeout: 45, message: [] }, losses: [] });
    const timeout = commandResponseFrom211({ result: 'TIMEOUT' }, 45);
    assert.deepEqual(timeout.value, { result: 'REJECTED', timeout: 45, message: [] });
    assert.deepEqual(fields(timeout.losses), ['result']);
  });

  test('the asynchronous result: 2.2.1 CommandResult → 2.1.1 CommandResponse, value by value', () => {
    const to = (result: CommandResult['result']) => {
      const mapped = commandResultTo211({ result, message: [] });
      return [mapped.value.result, fields(mapped.losses)];
    };
    const table = Object.fromEntries(commandResultSchema.shape.result.options.map((result) => [result, to(result)]));
    assert.deepEqual(table, {
      ACCEPTED: ['ACCEPTED', []],
      REJECTED: ['REJECTED', []],
      NOT_SUPPORTED: ['NOT_SUPPORTED', []],
      TIMEOUT: ['TIMEOUT', []],
      FAILED: ['REJECTED', ['result']],
      EVSE_OCCUPIED: ['REJECTED', ['result']],
      EVSE_INOPERATIVE: ['REJECTED', ['result']],
      UNKNOWN_RESERVATION: ['REJECTED', ['result']],
      CANCELED_RESERVATION: ['REJECTED', ['result']],
    });
    assert.deepEqual(fields(commandResultTo211({ result: 'FAILED', message: [{ language: 'en', text: 'No EV' }] }).losses), ['result', 'message[0]']);
    for (const [result] of Object.entries(table)) assert.ok(v211.commandResponseSchema.safeParse(commandResultTo211({ result: result as CommandResult['result'], message: [] }).value).success, `${result} gives a valid 2.1.1 body`);
  });

  test('the asynchronous result: 2.1.1 CommandResponse → 2.2.1 CommandResult, value by value', () => {
    const table = Object.fromEntries(
      v211.commandResponseTypeSchema.options.map((result) => {
        const mapped = commandResultFrom211({ result });
        assert.ok(commandResultSchema.safeParse(mapped.value).success, `${result} gives a valid CommandResult`);
        return [result, [mapped.value.result, fields(mapped.losses)]];
      }),
    );
    assert.deepEqual(table, {
      NOT_SUPPORTED: ['NOT_SUPPORTED', []],
      REJECTED: ['REJECTED', []],
      ACCEPTED: ['ACCEPTED', []],
      TIMEOUT: ['TIMEOUT', []],
      UNKNOWN_SESSION: ['REJECTED', ['result']],
    });
  });
});
