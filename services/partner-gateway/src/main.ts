import { createKafka, EventPublisher } from '@voltmesh/kafka';
import { hostGrpcServices } from '@voltmesh/grpc';
import { connectMongo } from '@voltmesh/mongo';
import { runProcess } from '@voltmesh/telemetry';
import { buildGateway } from './app.js';
import { loadGatewayConfig } from './config.js';

const config = loadGatewayConfig();

await runProcess({
  service: 'partner-gateway',
  logLevel: config.LOG_LEVEL,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  async start(logger) {
    const mongo = await connectMongo(config.MONGO_URL, config.MONGO_DB);
    const publisher = new EventPublisher(createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'partner-gateway' }, logger), 'partner-gateway');
    await publisher.connect();
    const gateway = buildGateway({ config, db: mongo.db, publisher, logger });
    await gateway.store.ensureIndexes();
    await gateway.ocpi.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
    await gateway.admin.listen({ host: config.ADMIN_HOST, port: config.ADMIN_PORT });
    logger.info({ ocpi: `${config.PUBLIC_URL}/ocpi/versions`, admin_port: config.ADMIN_PORT }, 'partner gateway ready');
    return hostGrpcServices({
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: gateway.grpcServices,
      logger,
      dependencies: [mongo.close, () => publisher.disconnect()],
      // Fastify's close lets in-flight partner requests finish before Kafka and Mongo close.
      beforeDrain: async () => void (await Promise.all([gateway.ocpi.close(), gateway.admin.close()])),
    });
  },
});
