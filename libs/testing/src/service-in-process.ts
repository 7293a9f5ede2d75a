import type { Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { startGrpcServer } from '@voltmesh/grpc';
import { createKafka, EventPublisher } from '@voltmesh/kafka';
import { connectMongo } from '@voltmesh/mongo';
import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';
import { createLogger, type Logger } from '@voltmesh/telemetry';

/** A service's composition root running inside a test, on the run's real Kafka and FerretDB. */
export interface InProcessService {
  db: Db;
  kafka: Kafka;
  publisher: EventPublisher;
  logger: Logger;
  /** `host:port` of its gRPC server. */
  address: string;
  /** Stops intake and gRPC, drops the database (unless told not to), closes the clients. */
  stop(): Promise<void>;
}

/**
 * Builds and starts a service the way runService does (own database, Kafka producer, gRPC
 * serving, intake started), without a process of its own, so a test can call its RPCs and
 * watch its topics.
 */
export async function startServiceInProcess(
  name: string,
  build: (deps: ServiceDeps) => ServiceParts | Promise<ServiceParts>,
  infra: { mongoUrl: string; dbName: string; kafkaBrokers: string[]; /** false for a second replica on a shared database */ dropDatabase?: boolean },
): Promise<InProcessService> {
  const logger = createLogger(name, 'silent');
  const mongo = await connectMongo(infra.mongoUrl, infra.dbName);
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: name }, logger);
  const publisher = new EventPublisher(kafka, name);
  await publisher.connect();
  const parts = await build({ db: mongo.db, kafka, publisher, logger });
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: parts.grpcServices ?? [], logger });
  server.setServing(true);
  const intake = parts.start ? await parts.start() : undefined;
  return {
    db: mongo.db,
    kafka,
    publisher,
    logger,
    address: `127.0.0.1:${server.port}`,
    async stop() {
      await intake?.stop();
      await server.stop();
      await publisher.disconnect();
      if (infra.dropDatabase !== false) await mongo.db.dropDatabase();
      await mongo.close();
    },
  };
}
