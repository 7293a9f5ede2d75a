import { createKafka, EventPublisher } from '@voltmesh/kafka';
import { hostGrpcServices, type HostedService } from '@voltmesh/grpc';
import { connectMongo } from '@voltmesh/mongo';
import type { Logger } from '@voltmesh/telemetry';
import type { BillingConfig } from './config.js';

/**
 * Composition root of the billing service: its own Mongo database, a Kafka producer for the
 * topics it emits, and its gRPC server (standard health until its RPCs land with issue #5 (sessions and billing)).
 * Health turns SERVING only once Mongo and Kafka answered.
 */
export async function startBilling(config: BillingConfig, logger: Logger): Promise<HostedService> {
  const mongo = await connectMongo(config.MONGO_URL, config.MONGO_DB);
  const publisher = new EventPublisher(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'billing' }, logger), 'billing');
  await publisher.connect();
  return hostGrpcServices({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    services: [],
    logger,
    dependencies: [mongo.close, () => publisher.disconnect()],
  });
}
