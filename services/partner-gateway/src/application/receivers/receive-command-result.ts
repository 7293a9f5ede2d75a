import { invalidBody, OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import type { CommandDeliveries } from '../../adapters/command-deliveries.js';
import type { IngressPublisher } from '../../adapters/ingress-publisher.js';
import { moduleOfCommand, resultSchemaOf } from '../../domain/command-kinds.js';
import type { Caller } from '../partner-registers.js';

export interface CommandResultDeps {
  deliveries: Pick<CommandDeliveries, 'get'>;
  ingress: Pick<IngressPublisher, 'commandEvent'>;
}

/**
 * Which of our response_urls was called:
 * - Commands: `.../emsp/commands/{type}/{command_id}`, the type in the URL must be the command's;
 * - ChargingProfiles: `.../emsp/chargingprofiles/results/{command_id}`, any of the three
 *   profile command types (the URL does not name it).
 */
export type ResultAddress = { module: 'commands'; type: string; commandId: string } | { module: 'chargingprofiles'; commandId: string };

/**
 * A partner CPO POSTs the result of one of our commands to the response_url we gave it. Only
 * the partner the command went to may answer it, at the URL of the command's module; anyone
 * else learns nothing (404, before its body is even read). The body is validated by the
 * command's type (CommandResult, ChargingProfileResult, ActiveChargingProfileResult,
 * ClearProfileResult: 2001 naming the field), published for the sessions service, and
 * answered after Kafka acknowledged it.
 */
export async function receiveCommandResult(deps: CommandResultDeps, caller: Caller, address: ResultAddress, body: unknown): Promise<void> {
  const delivery = await deps.deliveries.get(address.commandId);
  const shown = address.module === 'commands' ? `${address.type}/${address.commandId}` : address.commandId;
  const matches =
    delivery !== undefined &&
    delivery.connection_id === caller.connection.id &&
    moduleOfCommand(delivery.type) === address.module &&
    (address.module === 'chargingprofiles' || delivery.type === address.type.toUpperCase());
  const schema = delivery && matches ? resultSchemaOf(delivery.type) : undefined;
  if (!schema) throw new OcpiError(OcpiStatus.CLIENT_ERROR, `unknown command ${shown}`, { httpStatus: 404 });
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  const result = schema.safeParse(body);
  if (!result.success) throw invalidBody(result.error);
  await deps.ingress.commandEvent(
    { connectionId: caller.connection.id, commandId: address.commandId, receivedAt: new Date().toISOString(), resultJson: JSON.stringify(result.data) },
    caller.correlationId,
  );
}
