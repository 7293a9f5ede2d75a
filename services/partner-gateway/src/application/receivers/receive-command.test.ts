import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OcpiError, type CommandResponse } from '@voltmesh/ocpi';
import type { commandService } from '@voltmesh/proto';
import { aLocation, aToken, anEvse } from '@voltmesh/testing';
import type { StoredToken } from '../../adapters/tokens-client.js';
import type { Connection } from '../../domain/connection.js';
import { receiveCommand, type CommandReceiverDeps } from './receive-command.js';

const emsp: Connection = {
  id: 'emsp-1',
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [{ role: 'EMSP', countryCode: 'DE', partyId: 'EMS', businessName: 'Test eMSP' }],
  endpoints: [],
  createdAt: new Date(),
  updatedAt: new Date(),
};
const caller = { connection: emsp, token: 't' };
const ours = { countryCode: 'NL', partyId: 'VLT' };
const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'LOC1', evses: [anEvse({ uid: 'EVSE1' })] });
const token = aToken();

/** A receiver whose collaborators record what reached them: nothing may reach the CSMS on a refusal. */
function receiver(overrides: Partial<CommandReceiverDeps> = {}) {
  const forwarded: commandService.ReceivePartnerCommandRequest[] = [];
  const deps: CommandReceiverDeps = {
    commands: {
      async receive(request) {
        forwarded.push(request);
        return { result: 'ACCEPTED', timeout: request.timeoutSeconds, message: [] } satisfies CommandResponse;
      },
    },
    tokens: { get: async (_cc, _pid, uid): Promise<StoredToken | undefined> => (uid === token.uid ? { token, connectionId: emsp.id, owner: 'PARTNER' } : undefined) },
    locations: { get: async (_cc, _pid, id) => (id === 'LOC1' ? location : undefined) },
    cpoParties: [ours],
    refusedUrl: async (url) => (url.includes('10.0.0.') ? 'must not point at a private or loopback address' : undefined),
    timeoutSeconds: 30,
    requireKnownTokens: true,
    ...overrides,
  };
  return { deps, forwarded };
}

const start = (overrides: Record<string, unknown> = {}) => ({ response_url: 'https://emsp.example/cmd/1', token, location_id: 'LOC1', evse_uid: 'EVSE1', ...overrides });
const refusedWith = (status: number, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof OcpiError, String(error));
  assert.equal(error.ocpiStatus, status, error.message);
  assert.match(error.message, pattern);
  return true;
};

describe('commands from partner eMSPs (CPO Receiver)', () => {
  test('a valid START_SESSION is handed to the sessions service with our timeout, the eMSP and our CPO party', async () => {
    const { deps, forwarded } = receiver();
    const response = await receiveCommand(deps, caller, 'START_SESSION', {}, start());
    assert.deepEqual(response, { result: 'ACCEPTED', timeout: 30, message: [] });
    assert.equal(forwarded.length, 1);
    assert.deepEqual(forwarded[0]?.emsp, { countryCode: 'DE', partyId: 'EMS' });
    assert.deepEqual(forwarded[0]?.cpo, ours);
    assert.equal(forwarded[0]?.type, 'START_SESSION');
  });

  test('each refusal answers the spec status with a REJECTED CommandResponse and forwards nothing', async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['unknown location', 'START_SESSION', start({ location_id: 'NOPE' }), 2003, /location_id: unknown location NOPE/],
      ['unknown EVSE', 'START_SESSION', start({ evse_uid: 'NOPE' }), 2003, /evse_uid: unknown EVSE/],
      ['unknown connector', 'UNLOCK_CONNECTOR', { response_url: 'https://emsp.example/u', location_id: 'LOC1', evse_uid: 'EVSE1', connector_id: '9' }, 2003, /connector_id: unknown connector 9/],
      ['token of another party', 'START_SESSION', start({ token: aToken({ country_code: 'FR', party_id: 'OTH' }) }), 2001, /token: FR\*OTH is not one of your parties/],
      ['token never pushed to us', 'START_SESSION', start({ token: aToken({ uid: 'UNKNOWN1' }) }), 2004, /unknown token UNKNOWN1/],
      ['private response_url', 'START_SESSION', start({ response_url: 'http://10.0.0.7/cb' }), 2001, /response_url: must not point at a private/],
      ['addressed to a party that is not ours', 'STOP_SESSION', { response_url: 'https://emsp.example/s', session_id: 'S1' }, 2001, /ocpi-to-party-id/],
    ];
    for (const [what, type, body, status, pattern] of cases) {
      const { deps, forwarded } = receiver();
      const routing = what.startsWith('addressed') ? { toCountryCode: 'FR', toPartyId: 'XXX' } : {};
      await assert.rejects(receiveCommand(deps, caller, type, routing, body), (error: unknown) => {
        refusedWith(status, pattern)(error);
        assert.equal((error as OcpiError & { data: CommandResponse }).data.result, 'REJECTED', what);
        return true;
      }, what);
      assert.equal(forwarded.length, 0, `${what}: nothing forwarded`);
    }
  });

  test('a malformed body is 2001 naming the field; an unknown command is 2001 (HTTP 404)', async () => {
    const { deps, forwarded } = receiver();
    await assert.rejects(receiveCommand(deps, caller, 'START_SESSION', {}, start({ location_id: undefined })), refusedWith(2001, /location_id/));
    await assert.rejects(receiveCommand(deps, caller, 'RESERVE_NOW', {}, { response_url: 'https://x.example', reservation_id: 'R1' }), refusedWith(2001, /token|expiry_date/));
    await assert.rejects(receiveCommand(deps, caller, 'START_SESSION', {}, []), refusedWith(2001, /must be a JSON object/));
    await assert.rejects(receiveCommand(deps, caller, 'SELF_DESTRUCT', {}, {}), (error: unknown) => refusedWith(2001, /command: SELF_DESTRUCT/)(error) && (error as OcpiError).httpStatus === 404);
    assert.equal(forwarded.length, 0);
  });

  test('with known tokens not required, a token the eMSP never pushed may start (the spec allows it); its party must still be the caller’s', async () => {
    const { deps, forwarded } = receiver({ requireKnownTokens: false });
    await receiveCommand(deps, caller, 'START_SESSION', {}, start({ token: aToken({ uid: 'NEWCARD' }) }));
    assert.equal(forwarded.length, 1);
    await assert.rejects(receiveCommand(deps, caller, 'START_SESSION', {}, start({ token: aToken({ party_id: 'OTH' }) })), refusedWith(2001, /not one of your parties/));
  });

  test('STOP_SESSION and CANCEL_RESERVATION carry no token: the eMSP is the caller’s eMSP role', async () => {
    const { deps, forwarded } = receiver();
    await receiveCommand(deps, caller, 'STOP_SESSION', {}, { response_url: 'https://emsp.example/s', session_id: 'S1' });
    assert.deepEqual(forwarded[0]?.emsp, { countryCode: 'DE', partyId: 'EMS' });
  });
});
