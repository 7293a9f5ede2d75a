import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OcpiError } from '@voltmesh/ocpi';
import { commands } from '@voltmesh/proto';
import type { CommandDelivery } from '../../adapters/command-deliveries.js';
import type { Connection } from '../../domain/connection.js';
import { receiveCommandResult, type CommandResultDeps } from './receive-command-result.js';

const cpo: Connection = {
  id: 'cpo-1',
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [{ role: 'CPO', countryCode: 'BE', partyId: 'CPO', businessName: 'CPO' }],
  endpoints: [],
  createdAt: new Date(),
  updatedAt: new Date(),
};
const caller = { connection: cpo, token: 't', correlationId: 'corr-1' };

/** Deliveries as the dispatcher recorded them, and the events that reached Kafka. */
function deps(delivered: CommandDelivery[]) {
  const events: commands.PartnerCommandEvent[] = [];
  const ports: CommandResultDeps = {
    deliveries: { get: async (id) => delivered.find((delivery) => delivery._id === id) },
    ingress: { commandEvent: async (event) => void events.push(event) },
  };
  return { ports, events };
}
const delivery = (type: string): CommandDelivery => ({ _id: 'cmd-1', type, connection_id: 'cpo-1', sent_at: new Date() });
const notFound = (error: unknown) => error instanceof OcpiError && error.httpStatus === 404 && /^unknown command /.test(error.message);

describe('results posted to our commands response_url (OCPI Commands, unchanged by charging profiles)', () => {
  test('a CommandResult from the partner the command went to, at its type (any case), is published', async () => {
    const { ports, events } = deps([delivery('START_SESSION')]);
    await receiveCommandResult(ports, caller, { module: 'commands', type: 'start_session', commandId: 'cmd-1' }, { result: 'EVSE_OCCUPIED' });
    assert.equal(events.length, 1, 'one event');
    assert.equal(events[0]?.connectionId, 'cpo-1');
    assert.deepEqual(JSON.parse(events[0]?.resultJson ?? '{}'), { result: 'EVSE_OCCUPIED', message: [] });
  });

  test('another type in the URL, another partner, or a profile result type: refused, nothing published', async () => {
    const { ports, events } = deps([delivery('START_SESSION')]);
    await assert.rejects(receiveCommandResult(ports, caller, { module: 'commands', type: 'STOP_SESSION', commandId: 'cmd-1' }, { result: 'ACCEPTED' }), notFound);
    await assert.rejects(receiveCommandResult(ports, { ...caller, connection: { ...cpo, id: 'cpo-2' } }, { module: 'commands', type: 'START_SESSION', commandId: 'cmd-1' }, { result: 'ACCEPTED' }), notFound);
    await assert.rejects(
      receiveCommandResult(ports, caller, { module: 'commands', type: 'START_SESSION', commandId: 'cmd-1' }, { result: 'UNKNOWN' }),
      (error: unknown) => error instanceof OcpiError && error.ocpiStatus === 2001 && /^result:/.test(error.message),
    );
    assert.equal(events.length, 0, 'nothing published');
  });
});
