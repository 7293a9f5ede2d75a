import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { tokens } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import { applyPartnerTokenWrite } from '../application/apply-partner-write.js';
import type { TokenWriter } from '../application/token-writer.js';

/** Applies partner eMSPs' token writes from gateway.partner-token.v1 (in order per token: the key). */
export function consumePartnerTokenWrites(kafka: Kafka, writer: TokenWriter, ownParties: ReadonlySet<string>, publisher: EventPublisher, logger: Logger): Promise<RunningConsumer> {
  return runConsumer(kafka, {
    groupId: ConsumerGroups.authorizationPartnerWrites,
    topics: [Topics.partnerToken],
    publisher,
    logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      let write: tokens.PartnerTokenWrite;
      try {
        write = tokens.PartnerTokenWrite.decode(event.value);
      } catch (error) {
        throw invalidArgument(`undecodable PartnerTokenWrite at offset ${event.offset}: ${String(error)}`);
      }
      await applyPartnerTokenWrite(writer, ownParties, write);
    },
  });
}
