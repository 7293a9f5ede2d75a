import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { commands, sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandStore } from '../adapters/command-store.js';
import { applyPartnerCommandEvent } from '../application/apply-partner-command-event.js';
import type { CommandWriter } from '../application/command-writer.js';
import { linkPartnerSession } from '../application/link-partner-session.js';

/**
 * Applies what the gateway publishes about our outbound commands (gateway.partner-command.v1:
 * the CPO's response, its result, not delivered) and links partner sessions to the commands
 * that started them (gateway.partner-session.v1). Refused messages go to
 * sessions.partner-commands.dlq with their error.
 */
export function consumePartnerEvents(kafka: Kafka, deps: { store: CommandStore; writer: CommandWriter; publisher: EventPublisher; logger: Logger }): Promise<RunningConsumer> {
  return runConsumer(kafka, {
    groupId: ConsumerGroups.sessionsPartnerCommands,
    topics: [Topics.partnerCommand, Topics.partnerSession],
    publisher: deps.publisher,
    logger: deps.logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      if (event.topic === Topics.partnerCommand.name) {
        const answer = decode(commands.PartnerCommandEvent, event.value, 'PartnerCommandEvent', event.offset);
        const applied = await applyPartnerCommandEvent(deps.writer, answer);
        // The reason has no field in Command: the log is where an operator finds it.
        if (answer.notDelivered !== undefined && applied.changed) {
          deps.logger.warn({ command_id: answer.commandId, partner: answer.connectionId, reason: answer.notDelivered }, 'outbound command not delivered');
        }
      } else {
        await linkPartnerSession(deps, decode(sessions.PartnerSessionWrite, event.value, 'PartnerSessionWrite', event.offset));
      }
    },
  });
}

function decode<T>(type: { decode(input: Uint8Array): T }, value: Buffer, name: string, offset: string): T {
  try {
    return type.decode(value);
  } catch (error) {
    throw invalidArgument(`undecodable ${name} at offset ${offset}: ${String(error)}`);
  }
}
