import { createKafka, EventPublisher } from '@voltmesh/kafka';
import { hostGrpcServices, type HostedService } from '@voltmesh/grpc';
import { connectMongo } from '@voltmesh/mongo';
import type { Logger } from '@voltmesh/telemetry';
import type { AuthorizationConfig } from './config.js';

/**
 * Composition root of the authorization service: its own Mongo database, a Kafka producer for the
 * topics it emits, and its gRPC server (standard health until its RPCs land with issue #4 (tokens and commands)).
 * Health turns SERVING only once Mongo and Kafka answered.
 */
export async function startAuthorization(config: AuthorizationConfig, logger: Logger): Promise<HostedService> {
  const mongo = await connectMongo(config.MONGO_URL, config.MONGO_DB);
  const publisher = new EventPublisher(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'authorization' }, logger), 'authorization');
  await publisher.connect();
  return hostGrpcServices({
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    services: [],
    logger,
    dependencies: [mongo.close, () => publisher.disconnect()],
  });
}
