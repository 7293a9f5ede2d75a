import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { commands, sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandStore } from '../adapters/command-store.js';
import { applyPartnerCommandEvent } from '../application/apply-partner-command-event.js';
import type { CommandWriter } from '../application/command-writer.js';
import type { ProfileWriter } from '../application/profile-writer.js';
import { applyPartnerSession, type PartnerSessionDeps } from '../application/apply-partner-session.js';
import { linkPartnerSession } from '../application/link-partner-session.js';

export interface PartnerEventsDeps {
  store: CommandStore;
  writer: CommandWriter;
  profiles: ProfileWriter;
  sessions: Omit<PartnerSessionDeps, 'logger'>;
  publisher: EventPublisher;
  logger: Logger;
}

/**
 * Applies what the gateway publishes about our outbound commands and charging-profile requests
 * (gateway.partner-command.v1: the CPO's response, its result, not delivered) and partner CPOs' sessions of our tokens
 * (gateway.partner-session.v1): each is first linked to the command that started it (the
 * reference is the command id), then stored as an EMSP-role session and announced. Refused
 * messages go to sessions.partner-commands.dlq with their error.
 */
export function consumePartnerEvents(kafka: Kafka, deps: PartnerEventsDeps): Promise<RunningConsumer> {
  return runConsumer(kafka, {
    groupId: ConsumerGroups.sessionsPartnerCommands,
    topics: [Topics.partnerCommand, Topics.partnerSession],
    publisher: deps.publisher,
    logger: deps.logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      if (event.topic === Topics.partnerCommand.name) {
        const answer = decode(commands.PartnerCommandEvent, event.value, 'PartnerCommandEvent', event.offset);
        const applied = await applyPartnerCommandEvent({ writer: deps.writer, profiles: deps.profiles }, answer);
        // The reason has no field in Command: the log is where an operator finds it.
        if (answer.notDelivered !== undefined && applied.changed) {
          deps.logger.warn({ command_id: answer.commandId, partner: answer.connectionId, reason: answer.notDelivered }, 'outbound command not delivered');
        }
      } else {
        const write = decode(sessions.PartnerSessionWrite, event.value, 'PartnerSessionWrite', event.offset);
        // Linking first: it has its own checks (the command's CPO and connection), and a session
        // refused below (DLQ) still tells the driver's command which session it started.
        await linkPartnerSession(deps, write);
        await applyPartnerSession({ ...deps.sessions, logger: deps.logger }, write);
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
