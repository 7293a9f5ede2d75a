import { topicPositions, Topics } from '@voltmesh/kafka';
import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';
import { LocationStore } from './adapters/location-store.js';
import { LocationWriter } from './application/location-writer.js';
import { LocationReadModel } from './application/read-model.js';
import { republishUnpublished } from './application/republish.js';
import type { LocationsConfig } from './config.js';
import { locationServiceBinding } from './transport/location-service.js';
import { consumePartnerLocationWrites } from './transport/partner-writes-consumer.js';
import { followLocationChanges } from './transport/read-model-follower.js';

/**
 * Composition root of the locations service: the store, the one writer every change goes
 * through, the gRPC API and the consumer of partner writes.
 */
export async function buildLocations(config: LocationsConfig, { db, kafka, publisher, logger }: ServiceDeps): Promise<ServiceParts> {
  const store = new LocationStore(db);
  await store.ensureIndexes();
  const model = new LocationReadModel();
  // Before the load: the follower starts here, so a change published meanwhile is not missed.
  const followFrom = await topicPositions(kafka, Topics.location);
  const started = Date.now();
  const loaded = await model.load(store);
  logger.info({ locations: loaded, ms: Date.now() - started }, 'read model loaded');
  const writer = new LocationWriter(store, model, publisher, logger);
  return {
    grpcServices: [locationServiceBinding(model, writer, config, logger)],
    async start() {
      const consumer = await consumePartnerLocationWrites(kafka, writer, publisher, logger);
      const follower = await followLocationChanges(kafka, model, followFrom, logger);
      const republish = setInterval(() => {
        republishUnpublished(model, writer, logger, config.REPUBLISH_INTERVAL_MS).catch((error: unknown) => logger.warn({ err: error }, 'republishing failed'));
      }, config.REPUBLISH_INTERVAL_MS);
      const flushMarks = () => writer.flushMarks().catch((error: unknown) => logger.warn({ err: error }, 'writing publish markers failed'));
      const marks = setInterval(() => void flushMarks(), 100);
      return {
        async stop() {
          clearInterval(republish);
          clearInterval(marks);
          await consumer.stop();
          await follower.stop();
          await flushMarks();
        },
      };
    },
  };
}
