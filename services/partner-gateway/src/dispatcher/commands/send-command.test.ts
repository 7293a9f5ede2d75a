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
  endpoints: [{ module: 'commands', interfaceRole: 'RECEIVER', url: 'https://cpo.example/ocpi/2.2.1/commands/' }],
  createdAt: new Date(NOW),
  updatedAt: new Date(NOW),
};
const address: PartnerAddress = { connection, endpoint: connection.endpoints[0]!, token: 'tok', authMode: 'base64' };
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

/** Deliveries kept in a map, and a partner whose every call is counted. */
function harness(answer: () => Promise<unknown>) {
  const deliveries = new Map<string, CommandDelivery>();
  const posts: string[] = [];
  const deps: SendCommandDeps = {
    reach: { find: async () => address },
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
      call: async <T>(request: { url: string }) => {
        posts.push(request.url);
        return (await answer()) as never as { httpStatus: number; statusCode: number; data: T; requestId: string };
      },
    },
    maxAgeMs: 50_000,
    logger: createLogger('test', 'silent'),
    now: () => NOW,
  };
  return { deps, deliveries, posts };
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
