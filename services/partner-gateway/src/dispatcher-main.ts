import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics } from '@voltmesh/kafka';
import { partners } from '@voltmesh/proto';
import { runService } from '@voltmesh/runtime';
import { ConnectionStore } from './adapters/connection-store.js';
import { TokenCipher } from './adapters/token-cipher.js';
import { loadDispatcherConfig } from './config.js';
import { PartnerDirectory } from './dispatcher/partner-directory.js';

/**
 * The dispatcher: delivers our changes to partners (the domain topics arrive with later
 * issues). Today it keeps the partner directory current from connection events.
 */
const config = loadDispatcherConfig();

await runService('dispatcher', config, async ({ db, kafka, publisher, logger }) => {
  // Same database as the gateway: the dispatcher is part of the gateway package.
  const directory = new PartnerDirectory(new ConnectionStore(db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY)), logger);
  await directory.loadAll();
  return {
    async start() {
      // Events say what changed; a periodic reload also repairs a missed one (e.g. published during a Kafka outage).
      const reload = setInterval(() => directory.loadAll().catch((error: unknown) => logger.warn({ err: error }, 'partner directory reload failed')), config.DIRECTORY_RELOAD_MS);
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
      return {
        async stop() {
          clearInterval(reload);
          await consumer.stop();
        },
      };
    },
  };
});
