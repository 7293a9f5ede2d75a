import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { commands } from '@voltmesh/proto';
import type { IngressPublisher } from '../../adapters/ingress-publisher.js';
import type { PushEngine } from '../push/index.js';
import { UNRESOLVED } from '../../adapters/url-guard.js';
import { commandResultPush } from './command-result-push.js';
import { sendCommand, type SendCommandDeps } from './send-command.js';

export interface CommandDispatchDeps extends SendCommandDeps {
  kafka: Kafka;
  engine: Pick<PushEngine, 'enqueue'>;
  ingress: Pick<IngressPublisher, 'commandEvent'>;
  publisher: EventPublisher;
  /** Why a partner-supplied response_url may not be called now, or undefined. */
  refusedUrl(url: string): Promise<string | undefined>;
  /** The OCPI version a partner connection speaks (its result goes in that version's shape). */
  versionOf(connectionId: string): string | undefined;
}

const { CommandDirection, CommandState } = commands;

/**
 * Commands on sessions.command.v1 — OCPI commands and charging-profile requests alike — both ways:
 * - our driver's command (OUTBOUND, REQUESTED) is sent to the partner CPO (`POST {commands}/{TYPE}`,
 *   or `PUT`/`GET`/`DELETE {chargingprofiles}/{session_id}`), and its answer published on
 *   gateway.partner-command.v1 for the sessions service;
 * - the result of a partner eMSP's command to our CPO (INBOUND with a result: the CSMS's, or
 *   TIMEOUT) is queued for delivery to the partner's response_url until acknowledged.
 * The offset is committed once that is done, so nothing is lost on a restart.
 */
export function consumeCommands(deps: CommandDispatchDeps): Promise<RunningConsumer> {
  return runConsumer(deps.kafka, {
    groupId: ConsumerGroups.dispatcherCommands,
    topics: [Topics.command],
    publisher: deps.publisher,
    logger: deps.logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      let changed: commands.CommandChanged;
      try {
        changed = commands.CommandChanged.decode(event.value);
      } catch (error) {
        throw invalidArgument(`undecodable CommandChanged at offset ${event.offset}: ${String(error)}`);
      }
      const command = changed.command;
      if (!command?.id) throw invalidArgument('CommandChanged without a command id');
      const correlationId = event.meta.correlationId ?? event.meta.id;
      if (command.direction === CommandDirection.COMMAND_DIRECTION_OUTBOUND && command.state === CommandState.COMMAND_STATE_REQUESTED) {
        await deps.ingress.commandEvent(await sendCommand(deps, command), correlationId);
        return;
      }
      if (command.direction === CommandDirection.COMMAND_DIRECTION_INBOUND && command.resultJson) {
        const job = commandResultPush(command, event.offset, correlationId, deps.versionOf(command.connectionId));
        if (!job) return;
        const refused = await deps.refusedUrl(job.url);
        // A name that does not resolve now may tomorrow: the push engine retries the delivery;
        // only a URL we must never call (not http(s), a private address) is dropped.
        if (refused && !refused.includes(UNRESOLVED)) {
          deps.logger.warn({ partner: command.connectionId, command_id: command.id, reason: refused }, 'command result not sent: response_url refused');
          return;
        }
        await deps.engine.enqueue(job);
      }
    },
  });
}
