import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runBatchConsumer, Topics, type EventPublisher } from '@voltmesh/kafka';
import { locations } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import { applyPartnerLocationWrites, locationWriteKey } from '../application/apply-partner-write.js';
import type { LocationWriter } from '../application/location-writer.js';

/**
 * Applies partner writes from gateway.partner-location.v1 a fetched batch at a time: the writes
 * of one location (in log order: they share a partition) become one save and one event, so a
 * burst of status updates costs one database write per location, not one per update.
 */
export function consumePartnerLocationWrites(kafka: Kafka, writer: LocationWriter, publisher: EventPublisher, logger: Logger): Promise<{ stop(): Promise<void> }> {
  return runBatchConsumer(kafka, {
    groupId: ConsumerGroups.locationsPartnerWrites,
    topics: [Topics.partnerLocation],
    publisher,
    logger,
    partitionsConsumedConcurrently: 2,
    handleBatch: async (events, heartbeat) => {
      const byLocation = new Map<string, locations.PartnerLocationWrite[]>();
      for (const event of events) {
        let write: locations.PartnerLocationWrite;
        try {
          write = locations.PartnerLocationWrite.decode(event.value);
        } catch (error) {
          throw invalidArgument(`undecodable PartnerLocationWrite at offset ${event.offset}: ${String(error)}`);
        }
        const key = locationWriteKey(write);
        const writes = byLocation.get(key) ?? [];
        writes.push(write);
        byLocation.set(key, writes);
      }
      // One location after the other: FerretDB (SQLite) slows down under concurrent writes.
      for (const writes of byLocation.values()) {
        await applyPartnerLocationWrites(writer, writes);
        await heartbeat();
      }
    },
  });
}
