import { invalidArgument } from '@voltmesh/errors';
import { commandResponseSchema, commandResultSchema, parseOcpiDateTime, zodErrorMessage, parseJsonText } from '@voltmesh/ocpi';
import type { commands } from '@voltmesh/proto';
import { applyPartnerAnswer, type PartnerAnswer } from '../domain/command-transitions.js';
import type { CommandWriter, WriteResult } from './command-writer.js';

/**
 * What the gateway learnt about one of our outbound commands (gateway.partner-command.v1): the
 * CPO's CommandResponse, its CommandResult, or that it could not be delivered. An event for an
 * unknown command (NOT_FOUND), an inbound one or from another connection (INVALID_ARGUMENT) is
 * refused, which sends it to the DLQ.
 */
export async function applyPartnerCommandEvent(writer: Pick<CommandWriter, 'update'>, event: commands.PartnerCommandEvent, now: () => Date = () => new Date()): Promise<WriteResult> {
  if (!event.commandId) throw invalidArgument('PartnerCommandEvent.command_id: required');
  const answer = answerOf(event);
  if (!event.connectionId && answer.kind !== 'notDelivered') throw invalidArgument('PartnerCommandEvent.connection_id: required with a response or a result');
  const receivedAt = event.receivedAt ? parseOcpiDateTime(event.receivedAt) : now();
  if (!receivedAt) throw invalidArgument(`PartnerCommandEvent.received_at: not an RFC 3339 UTC date-time: ${event.receivedAt}`);
  return writer.update(event.commandId.toLowerCase(), (command) => {
    const outcome = applyPartnerAnswer(command, event.connectionId, answer, receivedAt, now());
    if ('refused' in outcome) throw invalidArgument(outcome.refused);
    return outcome;
  });
}

function answerOf(event: commands.PartnerCommandEvent): PartnerAnswer {
  if (event.responseJson !== undefined) {
    const parsed = commandResponseSchema.safeParse(parseJsonText(event.responseJson, 'PartnerCommandEvent.response_json'));
    if (!parsed.success) throw invalidArgument(`PartnerCommandEvent.response_json: ${zodErrorMessage(parsed.error)}`);
    return { kind: 'response', response: parsed.data, responseJson: JSON.stringify(parsed.data) };
  }
  if (event.resultJson !== undefined) {
    const parsed = commandResultSchema.safeParse(parseJsonText(event.resultJson, 'PartnerCommandEvent.result_json'));
    if (!parsed.success) throw invalidArgument(`PartnerCommandEvent.result_json: ${zodErrorMessage(parsed.error)}`);
    return { kind: 'result', resultJson: JSON.stringify(parsed.data) };
  }
  if (event.notDelivered !== undefined) return { kind: 'notDelivered', reason: event.notDelivered };
  throw invalidArgument('PartnerCommandEvent: none of response_json, result_json, not_delivered is set');
}
