import { ConsumerGroups, createKafka, EventPublisher, runConsumer, Topics } from '@voltmesh/kafka';
import { hostGrpcServices } from '@voltmesh/grpc';
import { connectMongo } from '@voltmesh/mongo';
import { partners } from '@voltmesh/proto';
import { runProcess } from '@voltmesh/telemetry';
import { invalidArgument } from '@voltmesh/errors';
import { ConnectionStore } from './adapters/connection-store.js';
import { TokenCipher } from './adapters/token-cipher.js';
import { loadDispatcherConfig } from './config.js';
import { PartnerDirectory } from './dispatcher/partner-directory.js';

/**
 * The dispatcher: delivers our changes to partners (later issues add the domain topics).
 * Today it keeps the partner directory current from connection events.
 */
const config = loadDispatcherConfig();

await runProcess({
  service: 'dispatcher',
  logLevel: config.LOG_LEVEL,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  async start(logger) {
    const mongo = await connectMongo(config.MONGO_URL, config.MONGO_DB);
    // The dispatcher never decrypts tokens yet; the store needs a cipher only to read them.
    const store = new ConnectionStore(mongo.db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY));
    const directory = new PartnerDirectory(store, logger);
    await directory.loadAll();

    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'dispatcher' }, logger);
    const publisher = new EventPublisher(kafka, 'dispatcher');
    await publisher.connect();
    const consumer = await runConsumer(kafka, {
      groupId: ConsumerGroups.dispatcherConnections,
      topics: [Topics.partnerConnection],
      publisher,
      logger,
      handle: async (event) => {
        let changed: partners.PartnerConnectionChanged;
        try {
          changed = partners.PartnerConnectionChanged.decode(event.value);
        } catch (error) {
          throw invalidArgument(`undecodable PartnerConnectionChanged at offset ${event.offset}: ${String(error)}`);
        }
        if (!changed.connection?.id) throw invalidArgument('PartnerConnectionChanged without a connection id');
        await directory.refresh(changed.connection.id);
      },
    });

    return hostGrpcServices({
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [],
      logger,
      dependencies: [mongo.close, () => publisher.disconnect()],
      beforeDrain: () => consumer.stop(),
    });
  },
});
