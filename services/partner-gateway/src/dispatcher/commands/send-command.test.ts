import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commands } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import type { CommandDelivery } from '../../adapters/command-deliveries.js';
import { PartnerCallError } from '../../adapters/partner-client.js';
import type { PartnerAddress } from '../../application/partner-reach.js';
import type { Connection } from '../../domain/connection.js';
import { sendCommand, type SendCommandDeps } from './send-command.js';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const connection: Connection = {
  id: 'cpo-1',
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [{ role: 'CPO', countryCode: 'BE', partyId: 'CPO', businessName: 'CPO' }],
  endpoints: [
    { module: 'commands', interfaceRole: 'RECEIVER', url: 'https://cpo.example/ocpi/2.2.1/commands/' },
    { module: 'chargingprofiles', interfaceRole: 'RECEIVER', url: 'https://cpo.example/ocpi/2.2.1/chargingprofiles/' },
  ],
  createdAt: new Date(NOW),
  updatedAt: new Date(NOW),
};
const addressFor = (module: string): PartnerAddress | undefined => {
  const endpoint = connection.endpoints.find((candidate) => candidate.module === module);
  return endpoint ? { connection, endpoint, token: 'tok', authMode: 'base64' } : undefined;
};
const command = (overrides: Partial<commands.Command> = {}): commands.Command =>
  commands.Command.fromPartial({
    id: 'cmd-1',
    direction: commands.CommandDirection.COMMAND_DIRECTION_OUTBOUND,
    type: 'START_SESSION',
    cpo: { countryCode: 'BE', partyId: 'CPO' },
    emsp: { countryCode: 'NL', partyId: 'VLM' },
    ocpiJson: JSON.stringify({ response_url: 'https://us.example/r', location_id: 'L1' }),
    state: commands.CommandState.COMMAND_STATE_REQUESTED,
    requestedAt: new Date(NOW - 1_000).toISOString(),
    ...overrides,
  });

/** Deliveries kept in a map, and a partner whose every call is counted and recorded. */
function harness(answer: () => Promise<unknown>) {
  const deliveries = new Map<string, CommandDelivery>();
  const posts: string[] = [];
  const calls: Array<{ method: string; url: string; body?: unknown; routing?: unknown }> = [];
  const modules: string[] = [];
  const deps: SendCommandDeps = {
    reach: {
      find: async (_role, _party, module) => {
        modules.push(module);
        return addressFor(module);
      },
    },
    deliveries: {
      claim: async (id, type, connectionId) => {
        if (deliveries.has(id)) return false;
        deliveries.set(id, { _id: id, type, connection_id: connectionId, sent_at: new Date(NOW) });
        return true;
      },
      recordOutcome: async (id, outcome) => void (deliveries.get(id)!.outcome = outcome),
      get: async (id) => deliveries.get(id),
    },
    partners: {
      call: async <T>(request: { method: string; url: string; body?: unknown; routing?: unknown }) => {
        posts.push(request.url);
        calls.push({ method: request.method, url: request.url, ...('body' in request ? { body: request.body } : {}), routing: request.routing });
        return (await answer()) as never as { httpStatus: number; statusCode: number; data: T; requestId: string };
      },
    },
    maxAgeMs: 50_000,
    logger: createLogger('test', 'silent'),
    now: () => NOW,
  };
  return { deps, deliveries, posts, calls, modules };
}

describe('sending our commands to partner CPOs', () => {
  test("the CPO's CommandResponse is published, and a replay publishes it again without a second POST", async () => {
    const { deps, posts } = harness(async () => ({ httpStatus: 200, statusCode: 1000, data: { result: 'ACCEPTED', timeout: 30, message: [] }, requestId: 'r' }));
    const first = await sendCommand(deps, command());
    assert.equal(posts.length, 1);
    assert.equal(posts[0], 'https://cpo.example/ocpi/2.2.1/commands/START_SESSION');
    assert.deepEqual(JSON.parse(first.responseJson ?? '{}'), { result: 'ACCEPTED', timeout: 30, message: [] });
    assert.equal(first.connectionId, 'cpo-1');
    const replay = await sendCommand(deps, command());
    assert.equal(posts.length, 1, 'never POSTed twice');
    assert.equal(replay.responseJson, first.responseJson);
  });

  test('a POST whose outcome was never kept (the dispatcher died mid-call) is reported as not delivered, not sent again', async () => {
    const { deps, deliveries, posts } = harness(async () => ({ httpStatus: 200, statusCode: 1000, data: { result: 'ACCEPTED', timeout: 30, message: [] }, requestId: 'r' }));
    deliveries.set('cmd-1', { _id: 'cmd-1', type: 'START_SESSION', connection_id: 'cpo-1', sent_at: new Date(NOW) });
    const event = await sendCommand(deps, command());
    assert.equal(posts.length, 0);
    assert.match(event.notDelivered ?? '', /unknown/);
  });

  test('a command older than the send window is not sent; an OCPI refusal is REJECTED; a network failure is not delivered', async () => {
    const late = harness(async () => ({}));
    const stale = await sendCommand(late.deps, command({ requestedAt: new Date(NOW - 60_000).toISOString() }));
    assert.equal(late.posts.length, 0);
    assert.match(stale.notDelivered ?? '', /waited 60 s/);

    const refusing = harness(async () => ({ httpStatus: 200, statusCode: 2003, statusMessage: 'unknown location', data: undefined, requestId: 'r' }));
    const refused = await sendCommand(refusing.deps, command());
    assert.equal(JSON.parse(refused.responseJson ?? '{}').result, 'REJECTED');

    const down = harness(async () => Promise.reject(new PartnerCallError('unreachable', 'connect ECONNREFUSED')));
    const failed = await sendCommand(down.deps, command());
    assert.match(failed.notDelivered ?? '', /ECONNREFUSED/);
    assert.deepEqual(down.deliveries.get('cmd-1')?.outcome, { not_delivered: 'connect ECONNREFUSED' }, 'the outcome is kept for replays');
  });
});

describe('sending our charging-profile requests to partner CPOs', () => {
  const accepted = async () => ({ httpStatus: 200, statusCode: 1000, data: { result: 'ACCEPTED', timeout: 20 }, requestId: 'r' });
  const chargingProfile = { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 7400 }] };
  const profileCommand = (type: string, ocpi: unknown, overrides: Partial<commands.Command> = {}) =>
    command({ id: `cmd-${type}`, type, sessionId: 'SESS-1', ocpiJson: JSON.stringify(ocpi), ...overrides });

  test('each type is its method on {chargingprofiles}/{session_id}, with its query or body and the routing headers', async () => {
    const responseUrl = 'https://us.example/ocpi/2.2.1/emsp/chargingprofiles/results/cmd-1';
    const cases: Array<[string, unknown, { method: string; url: string; body?: unknown }]> = [
      [
        'SET_CHARGING_PROFILE',
        { charging_profile: { ...chargingProfile, start_date_time: '2026-11-27T10:00:00Z' }, response_url: responseUrl },
        {
          method: 'PUT',
          url: 'https://cpo.example/ocpi/2.2.1/chargingprofiles/SESS-1',
          body: { charging_profile: { ...chargingProfile, start_date_time: '2026-11-27T10:00:00.000Z' }, response_url: responseUrl },
        },
      ],
      [
        'GET_ACTIVE_CHARGING_PROFILE',
        { duration: 900, response_url: responseUrl },
        { method: 'GET', url: `https://cpo.example/ocpi/2.2.1/chargingprofiles/SESS-1?duration=900&response_url=${encodeURIComponent(responseUrl)}` },
      ],
      ['CLEAR_PROFILE', { response_url: responseUrl }, { method: 'DELETE', url: `https://cpo.example/ocpi/2.2.1/chargingprofiles/SESS-1?response_url=${encodeURIComponent(responseUrl)}` }],
    ];
    for (const [type, ocpi, expected] of cases) {
      const { deps, calls, modules, deliveries } = harness(accepted);
      const event = await sendCommand(deps, profileCommand(type, ocpi));
      assert.deepEqual(modules, ['chargingprofiles'], `${type}: the chargingprofiles Receiver is looked up`);
      assert.deepEqual(calls, [{ ...expected, routing: { fromCountryCode: 'NL', fromPartyId: 'VLM', toCountryCode: 'BE', toPartyId: 'CPO' } }], type);
      assert.deepEqual(JSON.parse(event.responseJson ?? '{}'), { result: 'ACCEPTED', timeout: 20 }, `${type}: the ChargingProfileResponse is published`);
      assert.equal(event.connectionId, 'cpo-1', type);
      assert.deepEqual(deliveries.get(`cmd-${type}`)?.type, type, `${type}: the delivery names the type (the result route reads it)`);
    }
  });

  test('at most once: a replay publishes the kept answer without calling again', async () => {
    const { deps, calls } = harness(accepted);
    const clear = profileCommand('CLEAR_PROFILE', { response_url: 'https://us.example/r' });
    const first = await sendCommand(deps, clear);
    const replay = await sendCommand(deps, clear);
    assert.equal(calls.length, 1, 'called once');
    assert.equal(replay.responseJson, first.responseJson);
  });

  test('an OCPI refusal is a REJECTED ChargingProfileResponse (no message field); TOO_OFTEN is published as answered', async () => {
    const refusing = harness(async () => ({ httpStatus: 404, statusCode: 2001, statusMessage: 'unknown session', data: undefined, requestId: 'r' }));
    const refused = await sendCommand(refusing.deps, profileCommand('SET_CHARGING_PROFILE', { charging_profile: chargingProfile, response_url: 'https://us.example/r' }));
    assert.deepEqual(JSON.parse(refused.responseJson ?? '{}'), { result: 'REJECTED', timeout: 0 });
    const busy = harness(async () => ({ httpStatus: 200, statusCode: 1000, data: { result: 'TOO_OFTEN', timeout: 0 }, requestId: 'r' }));
    const tooOften = await sendCommand(busy.deps, profileCommand('GET_ACTIVE_CHARGING_PROFILE', { duration: 60, response_url: 'https://us.example/r' }));
    assert.deepEqual(JSON.parse(tooOften.responseJson ?? '{}'), { result: 'TOO_OFTEN', timeout: 0 });
  });

  test('a request that cannot be sent as stored is not delivered, without a call or a claim', async () => {
    const cases: Array<[string, commands.Command, RegExp]> = [
      ['no session', profileCommand('CLEAR_PROFILE', { response_url: 'https://us.example/r' }, { sessionId: '' }), /CLEAR_PROFILE command names no session/],
      ['a GET without duration', profileCommand('GET_ACTIVE_CHARGING_PROFILE', { response_url: 'https://us.example/r' }), /ocpi_json is not valid: duration:/],
      ['a profile breaking the rules', profileCommand('SET_CHARGING_PROFILE', { charging_profile: { ...chargingProfile, charging_profile_period: [{ start_period: 5, limit: 1 }] }, response_url: 'https://us.example/r' }), /charging_profile\.charging_profile_period\[0\]\.start_period/],
      ['an unknown type', command({ type: 'SELF_DESTRUCT' }), /unknown command type SELF_DESTRUCT/],
    ];
    for (const [what, sent, pattern] of cases) {
      const { deps, calls, deliveries } = harness(accepted);
      const event = await sendCommand(deps, sent);
      assert.match(event.notDelivered ?? '', pattern, what);
      assert.equal(calls.length, 0, `${what}: no call`);
      assert.equal(deliveries.size, 0, `${what}: nothing claimed`);
    }
  });

  test('a CPO without a chargingprofiles Receiver is reported, naming the module', async () => {
    const { deps } = harness(accepted);
    deps.reach = { find: async () => undefined };
    const event = await sendCommand(deps, profileCommand('CLEAR_PROFILE', { response_url: 'https://us.example/r' }));
    assert.match(event.notDelivered ?? '', /no registered partner offers a chargingprofiles endpoint for CPO BE\*CPO/);
  });
});
