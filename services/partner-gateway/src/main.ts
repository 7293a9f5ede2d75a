import { runService } from '@voltmesh/runtime';
import { buildGateway } from './app.js';
import { loadGatewayConfig } from './config.js';

const config = loadGatewayConfig();

await runService('partner-gateway', config, async ({ db, publisher, logger }) => {
  const gateway = buildGateway({ config, db, publisher, logger });
  await gateway.store.ensureIndexes();
  return {
    grpcServices: gateway.grpcServices,
    async start() {
      await gateway.ocpi.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
      await gateway.admin.listen({ host: config.ADMIN_HOST, port: config.ADMIN_PORT });
      logger.info({ ocpi: `${config.PUBLIC_URL}/ocpi/versions`, admin_port: config.ADMIN_PORT }, 'partner gateway ready');
      // Fastify's close lets in-flight partner requests finish before Kafka and Mongo close.
      return { stop: async () => void (await Promise.all([gateway.ocpi.close(), gateway.admin.close()])) };
    },
  };
});
