import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';
import { TariffStore } from './adapters/tariff-store.js';
import { republishUnpublished } from './application/republish.js';
import { TariffWriter } from './application/tariff-writer.js';
import type { TariffsConfig } from './config.js';
import { consumePartnerTariffWrites } from './transport/partner-writes-consumer.js';
import { tariffServiceBinding } from './transport/tariff-service.js';

/**
 * Composition root of the tariffs service: the store, the one writer every change goes
 * through, the gRPC API (with the price engine) and the consumer of partner writes.
 */
export async function buildTariffs(config: TariffsConfig, { db, kafka, publisher, logger }: ServiceDeps): Promise<ServiceParts> {
  const store = new TariffStore(db);
  await store.ensureIndexes();
  const writer = new TariffWriter(store, publisher);
  return {
    grpcServices: [tariffServiceBinding(store, writer, config, logger)],
    async start() {
      const consumer = await consumePartnerTariffWrites(kafka, writer, publisher, logger);
      const republish = setInterval(() => {
        republishUnpublished(store, writer, logger, config.REPUBLISH_INTERVAL_MS).catch((error: unknown) => logger.warn({ err: error }, 'republishing failed'));
      }, config.REPUBLISH_INTERVAL_MS);
      return {
        async stop() {
          clearInterval(republish);
          await consumer.stop();
        },
      };
    },
  };
}
