import type { Kafka } from 'kafkajs';
import { followTopic, Topics, type TopicPositions } from '@voltmesh/kafka';
import { locationSchema } from '@voltmesh/ocpi';
import { locations, objects } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { LocationReadModel } from '../application/read-model.js';

/**
 * Keeps this replica's read model current with the writes of every replica: reads
 * locations.location.v1 (our own output) in a consumer group of its own, from `from` (the
 * topic's end taken before the model was loaded, so a change another replica published
 * between the load and the group join is not missed), and records each announced state; the
 * model keeps the highest revision, so its own events, replayed and late ones change nothing.
 * A cache, so an event it cannot read is logged and skipped.
 */
export function followLocationChanges(kafka: Kafka, model: LocationReadModel, from: TopicPositions, logger: Logger): Promise<{ stop(): Promise<void> }> {
  return followTopic(kafka, {
    topic: Topics.location,
    name: 'locations.read-model',
    from,
    logger,
    handle: (value) => {
      const changed = locations.LocationChanged.decode(value);
      const announced = changed.location;
      if (!announced?.party) return;
      const key = { country_code: announced.party.countryCode, party_id: announced.party.partyId, location_id: announced.id };
      const revision = Number(changed.revision);
      // Our own writes (and late or replayed events) are held already: skip them before any parsing.
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
    },
  });
}
