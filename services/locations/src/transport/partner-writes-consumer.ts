import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { locations } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import { applyPartnerLocationWrite } from '../application/apply-partner-write.js';
import type { LocationWriter } from '../application/location-writer.js';

/** Applies partner writes from gateway.partner-location.v1 (in order per location: the key). */
export function consumePartnerLocationWrites(kafka: Kafka, writer: LocationWriter, publisher: EventPublisher, logger: Logger): Promise<RunningConsumer> {
  return runConsumer(kafka, {
    groupId: ConsumerGroups.locationsPartnerWrites,
    topics: [Topics.partnerLocation],
    publisher,
    logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      let write: locations.PartnerLocationWrite;
      try {
        write = locations.PartnerLocationWrite.decode(event.value);
      } catch (error) {
        throw invalidArgument(`undecodable PartnerLocationWrite at offset ${event.offset}: ${String(error)}`);
      }
      await applyPartnerLocationWrite(writer, write);
    },
  });
}
