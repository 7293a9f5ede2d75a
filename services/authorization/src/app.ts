import { partiesWithRole } from '@voltmesh/config';
import { topicPositions, Topics } from '@voltmesh/kafka';
import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';
import { DecisionStore } from './adapters/decision-store.js';
import { GatewayEmspAuthorizer } from './adapters/emsp-authorizer.js';
import { TokenStore } from './adapters/token-store.js';
import { DecisionLog } from './application/decision-log.js';
import { republishUnpublished } from './application/republish.js';
import { TokenCache } from './application/token-cache.js';
import { TokenWriter } from './application/token-writer.js';
import type { AuthorizationConfig } from './config.js';
import { partyKey } from './domain/stored-token.js';
import { consumePartnerTokenWrites } from './transport/partner-writes-consumer.js';
import { followTokenChanges } from './transport/token-follower.js';
import { tokenServiceBinding } from './transport/token-service.js';

/**
 * Composition root of the authorization service: the token store and its in-memory cache, the
 * one writer every token change goes through, the audit log of decisions, the gRPC API, the
 * consumer of partner writes and the follower that keeps this replica's cache current.
 */
export async function buildAuthorization(config: AuthorizationConfig, { db, kafka, publisher, logger }: ServiceDeps): Promise<ServiceParts> {
  const store = new TokenStore(db);
  await store.ensureIndexes();
  const decisionStore = new DecisionStore(db);
  await decisionStore.ensureIndexes();
  const cache = new TokenCache(store, { capacity: config.TOKEN_CACHE_SIZE, unknownTtlMs: config.TOKEN_CACHE_UNKNOWN_TTL_MS, refreshAfterMs: config.TOKEN_CACHE_REFRESH_MS }, logger);
  const writer = new TokenWriter(store, publisher, cache);
  const decisionLog = new DecisionLog(decisionStore, { batchSize: config.DECISION_BATCH_SIZE, flushMs: config.DECISION_FLUSH_MS, maxBuffered: config.DECISION_BUFFER_MAX }, logger);
  const emsp = new GatewayEmspAuthorizer(config.GATEWAY_GRPC_ADDRESS, config.RTA_TIMEOUT_MS);

  const party = (own: { countryCode: string; partyId: string }) => ({ country_code: own.countryCode, party_id: own.partyId });
  const emspParties = partiesWithRole(config.OWN_PARTIES, 'EMSP').map(party);
  const cpoParties = partiesWithRole(config.OWN_PARTIES, 'CPO').map(party);
  const ownParties = new Set(config.OWN_PARTIES.map((own) => partyKey(own.countryCode, own.partyId)));

  return {
    grpcServices: [
      tokenServiceBinding({
        store,
        cache,
        writer,
        decisionLog,
        authorize: { tokens: cache, decisions: decisionLog, emspParties, cpoParties, emsp, now: () => new Date() },
        emspParties: new Set(emspParties.map((own) => partyKey(own.country_code, own.party_id))),
        limits: config,
        logger,
      }),
    ],
    async start() {
      decisionLog.start();
      // The cache reads the store only once gRPC serves, after this: taken now, the follower
      // replays whatever the first reads could have missed.
      const followFrom = await topicPositions(kafka, Topics.token);
      const follower = await followTokenChanges(kafka, cache, followFrom, logger);
      const consumer = await consumePartnerTokenWrites(kafka, writer, ownParties, publisher, logger);
      const republish = setInterval(() => {
        republishUnpublished(store, writer, logger, config.REPUBLISH_INTERVAL_MS).catch((error: unknown) => logger.warn({ err: error }, 'republishing failed'));
      }, config.REPUBLISH_INTERVAL_MS);
      return {
        async stop() {
          clearInterval(republish);
          await consumer.stop();
          await follower.stop();
          await decisionLog.stop();
          emsp.close();
        },
      };
    },
  };
}
