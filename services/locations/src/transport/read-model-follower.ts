import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@voltmesh/kafka';
import { locationSchema } from '@voltmesh/ocpi';
import { locations, objects } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { LocationReadModel } from '../application/read-model.js';

/**
 * Keeps this replica's read model current with the writes of every replica: reads
 * locations.location.v1 (our own output) in a consumer group of its own, from the end, and
 * records each announced state; the model keeps the highest revision, so its own events and
 * late ones change nothing. A cache, so an event it cannot read is logged and skipped.
 */
export async function followLocationChanges(kafka: Kafka, model: LocationReadModel, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `locations.read-model.${randomUUID()}`, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.location.name], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      try {
        const changed = locations.LocationChanged.decode(message.value ?? Buffer.alloc(0));
        const announced = changed.location;
        if (!announced?.party) return;
        const key = { country_code: announced.party.countryCode, party_id: announced.party.partyId, location_id: announced.id };
        const revision = Number(changed.revision);
        // Our own writes (and late events) are held already: skip them before any parsing.
        if (model.revisionOf(key) >= revision) return;
        const location = locationSchema.parse(JSON.parse(announced.ocpiJson));
        model.put({
          ...key,
          owner: announced.owner === objects.Owner.OWNER_OWN ? 'OWN' : 'PARTNER',
          connection_id: changed.connectionId,
          location,
          rev: revision,
          unpublished: false,
        });
      } catch (error) {
        logger.warn({ err: error, offset: message.offset }, 'read model skipped an unreadable LocationChanged');
      }
    },
  });
  return { stop: () => consumer.disconnect() };
}
