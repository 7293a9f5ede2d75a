import type { Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { hostGrpcServices, type GrpcServiceBinding } from '@voltmesh/grpc';
import { createKafka, EventPublisher } from '@voltmesh/kafka';
import { connectMongo } from '@voltmesh/mongo';
import { runProcess, type Logger, type Stoppable } from '@voltmesh/telemetry';

/** The settings every mesh process has (see `grpcServiceEnv` in @voltmesh/config). */
export interface ServiceRuntimeConfig {
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  METRICS_HOST: string;
  METRICS_PORT: number;
  KAFKA_BROKERS: string[];
  MONGO_URL: string;
  MONGO_DB: string;
  GRPC_HOST: string;
  GRPC_PORT: number;
}

/** What a service's composition root gets: its own database and a Kafka client and producer. */
export interface ServiceDeps {
  db: Db;
  kafka: Kafka;
  publisher: EventPublisher;
  logger: Logger;
}

export interface ServiceParts {
  grpcServices?: GrpcServiceBinding[];
  /** Starts intake (HTTP listeners, Kafka consumers) once everything is connected. */
  start?: () => Promise<Stoppable>;
}

/**
 * Starts a service on the mesh's common skeleton: telemetry and logger, Mongo, Kafka producer,
 * the service's own parts, then gRPC with health SERVING. SIGTERM stops intake, drains gRPC and
 * closes Kafka and Mongo, in that order.
 */
export async function runService(
  name: string,
  config: ServiceRuntimeConfig,
  build: (deps: ServiceDeps) => ServiceParts | Promise<ServiceParts>,
): Promise<void> {
  await runProcess({
    service: name,
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    metrics: { host: config.METRICS_HOST, port: config.METRICS_PORT },
    async start(logger) {
      const mongo = await connectMongo(config.MONGO_URL, config.MONGO_DB);
      const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: name }, logger);
      const publisher = new EventPublisher(kafka, name);
      await publisher.connect();
      const parts = await build({ db: mongo.db, kafka, publisher, logger });
      const intake = parts.start ? await parts.start() : undefined;
      return hostGrpcServices({
        host: config.GRPC_HOST,
        port: config.GRPC_PORT,
        services: parts.grpcServices ?? [],
        logger,
        dependencies: [mongo.close, () => publisher.disconnect()],
        ...(intake ? { beforeDrain: () => intake.stop() } : {}),
      });
    },
  });
}
