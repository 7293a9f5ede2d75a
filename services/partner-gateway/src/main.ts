import { ConsumerProgress } from '@voltmesh/kafka';
import { runService } from '@voltmesh/runtime';
import { ConnectionStore } from './adapters/connection-store.js';
import { TokenCipher } from './adapters/token-cipher.js';
import { buildGateway } from './app.js';
import { loadGatewayConfig } from './config.js';
import { PullStateStore, pullSyncRequester } from './dispatcher/pull/index.js';

const config = loadGatewayConfig();

await runService('partner-gateway', config, async ({ db, kafka, publisher, logger }) => {
  // The admin API only records a sync request; the dispatcher process runs it.
  const requestSync = pullSyncRequester({ connections: new ConnectionStore(db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY)), state: new PullStateStore(db) });
  const progress = new ConsumerProgress(kafka);
  const gateway = buildGateway({ config, db, publisher, logger, requestSync, consumerBehind: (groupId, topic) => progress.behind(groupId, topic) });
  await gateway.store.ensureIndexes();
  return {
    grpcServices: gateway.grpcServices,
    async start() {
      await gateway.ocpi.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
      await gateway.admin.listen({ host: config.ADMIN_HOST, port: config.ADMIN_PORT });
      logger.info({ ocpi: `${config.PUBLIC_URL}/ocpi/versions`, admin_port: config.ADMIN_PORT }, 'partner gateway ready');
      // Fastify's close lets in-flight partner requests finish before Kafka and Mongo close.
      return {
        stop: async () => {
          await Promise.all([gateway.ocpi.close(), gateway.admin.close()]);
          await progress.close();
        },
      };
    },
  };
});
