import { commandResultSchema, invalidBody, OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import type { CommandDeliveries } from '../../adapters/command-deliveries.js';
import type { IngressPublisher } from '../../adapters/ingress-publisher.js';
import type { Caller } from '../partner-registers.js';

export interface CommandResultDeps {
  deliveries: Pick<CommandDeliveries, 'get'>;
  ingress: Pick<IngressPublisher, 'commandEvent'>;
}

/**
 * A partner CPO POSTs the CommandResult of one of our commands to the response_url we gave
 * it (`.../emsp/commands/{type}/{command_id}`). Only the partner the command went to may
 * answer it; anyone else learns nothing (404). Published for the sessions service, answered
 * after Kafka acknowledged it.
 */
export async function receiveCommandResult(deps: CommandResultDeps, caller: Caller, type: string, commandId: string, body: unknown): Promise<void> {
  const result = commandResultSchema.safeParse(body);
  if (!result.success) throw invalidBody(result.error);
  const delivery = await deps.deliveries.get(commandId);
  if (!delivery || delivery.type !== type.toUpperCase() || delivery.connection_id !== caller.connection.id) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, `unknown command ${type}/${commandId}`, { httpStatus: 404 });
  }
  await deps.ingress.commandEvent(
    { connectionId: caller.connection.id, commandId, receivedAt: new Date().toISOString(), resultJson: JSON.stringify(result.data) },
    caller.correlationId,
  );
}
