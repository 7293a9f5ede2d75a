import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commands } from '@voltmesh/proto';
import { aToken } from '@voltmesh/testing';
import { createLogger } from '@voltmesh/telemetry';
import { commandResultPush } from './command-result-push.js';
import { outboundRequest, type OutboundRequest } from './outbound-request.js';
import { requestFor211, RESULT_WAIT_211_S } from './request-211.js';

const logger = createLogger('request-211-test', 'silent');
const ours = 'https://voltmesh.example/ocpi/2.2.1/emsp/commands/START_SESSION/cmd-1';
const outbound = (type: string, ocpi: unknown): OutboundRequest => {
  const request = outboundRequest(commands.Command.fromPartial({ id: 'cmd-1', type, ocpiJson: JSON.stringify(ocpi), sessionId: 'S1' }));
  assert.ok(!('problem' in request), `a request for ${type}`);
  return request;
};

describe('our commands to a 2.1.1 CPO', () => {
  test('a 2.1.1 body with the response_url on our 2.1.1 tree, and its answer read back into our model', () => {
    const token = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'U1', contract_id: 'NL-VLM-C1' });
    const request = requestFor211(outbound('START_SESSION', { response_url: ours, token, location_id: 'LOC1', evse_uid: 'E1', connector_id: '1' }), 'START_SESSION', 'cpo-1', logger);
    assert.ok(!('problem' in request), 'sent');
    const body = request.body as Record<string, unknown>;
    assert.equal(body['response_url'], 'https://voltmesh.example/ocpi/2.1.1/emsp/commands/START_SESSION/cmd-1');
    assert.equal((body['token'] as Record<string, unknown>)['auth_id'], 'NL-VLM-C1', 'the 2.1.1 token names the contract as auth_id');
    assert.ok(!('connector_id' in body), 'no connector_id in a 2.1.1 StartSession');
    assert.deepEqual(request.answer.parse({ result: 'ACCEPTED' }), { result: 'ACCEPTED', timeout: RESULT_WAIT_211_S, message: [] });
    assert.deepEqual(request.answer.parse({ result: 'TIMEOUT' }), { result: 'REJECTED', timeout: RESULT_WAIT_211_S, message: [] }, 'a synchronous 2.1.1 TIMEOUT means not carried out');
  });

  test('what 2.1.1 cannot carry is not sent, saying why', () => {
    const cancel = requestFor211(outbound('CANCEL_RESERVATION', { response_url: ours, reservation_id: 'R1' }), 'CANCEL_RESERVATION', 'cpo-1', logger);
    assert.ok('problem' in cancel && /2\.1\.1/.test(cancel.problem), 'CANCEL_RESERVATION does not exist in 2.1.1');
    const profile = requestFor211(outbound('CLEAR_PROFILE', { response_url: ours }), 'CLEAR_PROFILE', 'cpo-1', logger);
    assert.ok('problem' in profile && /not in OCPI 2\.1\.1/.test(profile.problem), '2.1.1 has no charging profiles');
  });
});

describe('our CPO’s result for a 2.1.1 eMSP', () => {
  test('posted as a 2.1.1 CommandResponse, without routing headers', () => {
    const command = commands.Command.fromPartial({
      id: 'in-1',
      type: 'START_SESSION',
      direction: commands.CommandDirection.COMMAND_DIRECTION_INBOUND,
      connectionId: 'emsp-1',
      cpo: { countryCode: 'NL', partyId: 'VLT' },
      emsp: { countryCode: 'DE', partyId: 'EMS' },
      ocpiJson: JSON.stringify({ response_url: 'https://emsp.example/cb/1' }),
      resultJson: JSON.stringify({ result: 'EVSE_OCCUPIED', message: [] }),
      requestedAt: '2026-05-01T10:00:00.000Z',
    });
    const job = commandResultPush(command, '4', 'corr', '2.1.1');
    assert.deepEqual([job?.url, job?.body, job?.routing], ['https://emsp.example/cb/1', { result: 'REJECTED' }, undefined]);
    assert.deepEqual(commandResultPush(command, '4', 'corr')?.body, { result: 'EVSE_OCCUPIED', message: [] }, '2.2.1 keeps the CommandResult');
  });
});
