import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { partiesWithRole } from '@voltmesh/config';
import type { Db } from 'mongodb';
import { ConsumerGroups, Topics, type EventPublisher, type TopicSpec } from '@voltmesh/kafka';
import type { GrpcServiceBinding } from '@voltmesh/grpc';
import type { Location } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import { KafkaConnectionEvents } from './adapters/connection-events.js';
import { ConnectionStore } from './adapters/connection-store.js';
import { IngressPublisher } from './adapters/ingress-publisher.js';
import { HubClientInfoStore } from './adapters/hub-client-info-store.js';
import { registerHubClientInfoRoutes } from './transport/http/hubclientinfo-routes.js';
import { LocationsClient } from './adapters/locations-client.js';
import { TariffsClient } from './adapters/tariffs-client.js';
import { TokensClient } from './adapters/tokens-client.js';
import { CommandsClient } from './adapters/commands-client.js';
import { ChargingProfilesClient } from './adapters/charging-profiles-client.js';
import { SessionsClient } from './adapters/sessions-client.js';
import { BillingClient } from './adapters/billing-client.js';
import { CommandDeliveries } from './adapters/command-deliveries.js';
import { RateLimiter } from './adapters/rate-limiter.js';
import { refusedPartnerUrl } from './adapters/url-guard.js';
import { partnerFetch } from './adapters/guarded-fetch.js';
import { PartnerRateLimit } from './transport/http/partner-rate-limit.js';
import { PartnerReach } from './application/partner-reach.js';
import { PartnerClient } from './adapters/partner-client.js';
import { TtlCache } from './adapters/ttl-cache.js';
import type { Connection } from './domain/connection.js';
import { TokenCipher } from './adapters/token-cipher.js';
import type { ConnectionEvents, GatewayContext } from './application/context.js';
import type { GatewayConfig } from './config.js';
import type { RequestPullSync } from './dispatcher/pull/index.js';
import type { OwnPlatform } from './domain/own-credentials.js';
import { registerAdminRoutes } from './transport/http/admin-routes.js';
import { registerCredentialsRoutes } from './transport/http/credentials-routes.js';
import type { WrittenLookup } from './application/receivers/find-written.js';
import { registerLocationRoutes } from './transport/http/locations-routes.js';
import { registerTariffRoutes } from './transport/http/tariffs-routes.js';
import { registerTokenRoutes } from './transport/http/tokens-routes.js';
import { registerCommandRoutes } from './transport/http/commands-routes.js';
import { registerChargingProfileRoutes } from './transport/http/chargingprofiles-routes.js';
import { registerSessionRoutes } from './transport/http/sessions-routes.js';
import { registerCdrRoutes } from './transport/http/cdrs-routes.js';
import { registerUnknownModuleRoutes } from './transport/http/modules-routes.js';
import { ocpiServerOptions, registerOcpiConventions } from './transport/http/ocpi-conventions.js';
import { httpServerTimeouts } from './transport/http/server-options.js';
import { registerRequestTelemetry } from './transport/http/request-telemetry.js';
import { registerVersionsRoutes } from './transport/http/versions-routes.js';
import { registerRoutes211 } from './transport/http/v2_1_1/index.js';
import { partnerServiceBinding } from './transport/grpc/partner-service.js';

export interface GatewayDeps {
  config: GatewayConfig;
  db: Db;
  publisher: EventPublisher;
  logger: Logger;
  /** Asks the dispatcher for a pull sync (admin API); without it the route answers 503. */
  requestSync?: RequestPullSync;
  /**
   * Whether a service's consumer of partner writes is behind (main.ts: `ConsumerProgress`);
   * without it a missing object is unknown after one recheck.
   */
  consumerBehind?: (groupId: string, topic: string) => Promise<boolean>;
}

export interface Gateway {
  /** The partner-facing OCPI API. */
  ocpi: FastifyInstance;
  /** The operators' API, on its own port. */
  admin: FastifyInstance;
  grpcServices: GrpcServiceBinding[];
  store: ConnectionStore;
}

/** Composition root of the gateway. Building has no side effects; main.ts starts listening. */
export function buildGateway(deps: GatewayDeps): Gateway {
  const { config, logger } = deps;
  const store = new ConnectionStore(deps.db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY));
  // Registered partners by the token they present: no database read per functional request.
  const tokens = new TtlCache<Connection>(config.AUTH_CACHE_MS);
  // Partners by party, for real-time calls; dropped with the token cache on any connection change.
  const reach = new PartnerReach(store, config.AUTH_CACHE_MS);
  const platform: OwnPlatform = {
    publicUrl: config.PUBLIC_URL,
    parties: config.OWN_PARTIES,
    businessName: config.BUSINESS_NAME,
    ...(config.BUSINESS_WEBSITE ? { businessWebsite: config.BUSINESS_WEBSITE } : {}),
  };
  const context: GatewayContext = {
    store,
    platform,
    logger,
    // Versions, details and credentials URLs are the partner's: checked where the socket connects.
    partners: new PartnerClient(config.PARTNER_TIMEOUT_MS, logger.child({ component: 'partner-client' }), partnerFetch({ allowPrivate: config.ALLOW_PRIVATE_PARTNER_URLS })),
    tokens: { registrationTtlMs: config.REGISTRATION_TOKEN_TTL_MS, rotationGraceMs: config.CREDENTIALS_ROTATION_GRACE_MS },
    events: clearingOnChange(new KafkaConnectionEvents(deps.publisher, logger), () => {
      tokens.clear();
      reach.clear();
    }),
  };

  const ocpi = Fastify({
    loggerInstance: httpLogger(logger, 'ocpi-http'),
    disableRequestLogging: true,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    ...httpServerTimeouts(config.REQUEST_TIMEOUT_MS),
    ...ocpiServerOptions,
  });
  registerRequestTelemetry(ocpi, 'ocpi');
  registerOcpiConventions(ocpi, { store, tokens, logger, rateLimit: new PartnerRateLimit(config.PARTNER_RATE_PER_MINUTE, config.PARTNER_RATE_BURST), ownParties: config.OWN_PARTIES });
  registerVersionsRoutes(ocpi, platform);
  registerCredentialsRoutes(ocpi, context);
  const ingress = new IngressPublisher(deps.publisher);
  const written = (groupId: string, topic: TopicSpec): WrittenLookup => ({
    recheckAfterMs: config.WRITE_RECHECK_MS,
    writesPending: async () => (await deps.consumerBehind?.(groupId, topic.name)) ?? false,
  });
  const locations = new LocationsClient(config.LOCATIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const tariffs = new TariffsClient(config.TARIFFS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const ownTokens = new TokensClient(config.AUTHORIZATION_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const commands = new CommandsClient(config.SESSIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const sessions = new SessionsClient(config.SESSIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const billing = new BillingClient(config.BILLING_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const cpoParties = config.OWN_PARTIES.filter((party) => party.role === 'CPO');
  const refusedUrl = (url: string) => refusedPartnerUrl(url, config.ALLOW_PRIVATE_PARTNER_URLS);
  const ownTokenCheck = { tokens: ownTokens, ownEmspParties: partiesWithRole(config.OWN_PARTIES, 'EMSP') };
  // Sessions and CDRs carry drivers' data: served per eMSP party (a hub names it; see list-own.ts).
  const emspScope = {
    ownParties: config.OWN_PARTIES,
    heldElsewhere: (keys: string[], exceptConnectionId: string) => store.partiesHeldElsewhere(keys, exceptConnectionId),
  };
  // The use cases of every functional module, shared by the routes of both OCPI versions.
  const modules = {
    locations: {
      receiver: { locations, ingress, written: written(ConsumerGroups.locationsPartnerWrites, Topics.partnerLocation), known: new TtlCache<Location>(config.KNOWN_LOCATIONS_MS, 50_000) },
      sender: { locations, cpoParties, maxLimit: config.PAGE_LIMIT_MAX },
    },
    tariffs: { receiver: { tariffs, ingress, written: written(ConsumerGroups.tariffsPartnerWrites, Topics.partnerTariff) }, sender: { tariffs, maxLimit: config.PAGE_LIMIT_MAX } },
    tokens: {
      receiver: { tokens: ownTokens, ingress, written: written(ConsumerGroups.authorizationPartnerWrites, Topics.partnerToken) },
      sender: { tokens: ownTokens, own: { cpo: cpoParties, emsp: config.OWN_PARTIES.filter((party) => party.role === 'EMSP') }, maxLimit: config.PAGE_LIMIT_MAX },
    },
    commands: {
      receiver: {
        commands,
        tokens: ownTokens,
        locations,
        cpoParties,
        refusedUrl,
        timeoutSeconds: config.COMMAND_TIMEOUT_S,
        requireKnownTokens: config.REQUIRE_KNOWN_COMMAND_TOKENS,
      },
      // Results of our commands and of our charging-profile requests: both are Commands we delivered.
      results: { deliveries: new CommandDeliveries(deps.db), ingress },
      limiter: new RateLimiter(config.COMMAND_RATE_PER_MINUTE, config.COMMAND_RATE_BURST),
    },
    sessions: {
      receiver: { ...ownTokenCheck, sessions, ingress, written: written(ConsumerGroups.sessionsPartnerCommands, Topics.partnerSession) },
      sender: { ...emspScope, sessions, cpoParties, maxLimit: config.PAGE_LIMIT_MAX },
    },
    cdrs: {
      receiver: { ...ownTokenCheck, billing, publicUrl: config.PUBLIC_URL },
      sender: { ...emspScope, billing, cpoParties, maxLimit: config.PAGE_LIMIT_MAX },
    },
  };
  registerLocationRoutes(ocpi, modules.locations.receiver, modules.locations.sender, config.PUBLIC_URL);
  registerTariffRoutes(ocpi, modules.tariffs.receiver, modules.tariffs.sender, config.PUBLIC_URL);
  registerTokenRoutes(ocpi, modules.tokens.receiver, modules.tokens.sender, config.PUBLIC_URL);
  registerCommandRoutes(ocpi, modules.commands.receiver, modules.commands.results, modules.commands.limiter);
  registerSessionRoutes(ocpi, modules.sessions.receiver, modules.sessions.sender, config.PUBLIC_URL);
  registerCdrRoutes(ocpi, modules.cdrs.receiver, modules.cdrs.sender, config.PUBLIC_URL);
  registerRoutes211(ocpi, { ...modules, logger, publicUrl: config.PUBLIC_URL, ownTokens, locationLookup: locations });
  const profiles = new ChargingProfilesClient(config.SESSIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  registerChargingProfileRoutes(
    ocpi,
    { ...emspScope, profiles, cpoParties, refusedUrl, timeoutSeconds: config.CHARGING_PROFILE_TIMEOUT_S },
    { ...emspScope, profiles },
    modules.commands.results,
    // Its own bucket: a partner's smart charging does not use up its commands, nor the reverse.
    new RateLimiter(config.CHARGING_PROFILE_RATE_PER_MINUTE, config.CHARGING_PROFILE_RATE_BURST),
  );
  ocpi.addHook('onClose', async () => {
    locations.close();
    tariffs.close();
    ownTokens.close();
    commands.close();
    sessions.close();
    billing.close();
    profiles.close();
  });
  const hubClientInfo = new HubClientInfoStore(deps.db);
  registerHubClientInfoRoutes(ocpi, hubClientInfo);
  registerUnknownModuleRoutes(ocpi);

  const admin = Fastify({ loggerInstance: httpLogger(logger, 'admin-http'), disableRequestLogging: true, bodyLimit: 65_536, ...httpServerTimeouts(config.REQUEST_TIMEOUT_MS) });
  registerRequestTelemetry(admin, 'admin');
  registerAdminRoutes(admin, context, config.ADMIN_TOKEN, logger, { requestSync: deps.requestSync, hubClientInfo });

  const realTime = { reach, partners: context.partners, defaultTimeoutMs: config.RTA_TIMEOUT_MS, logger: logger.child({ component: 'real-time-authorization' }), tokens: ownTokens };
  return { ocpi, admin, grpcServices: [partnerServiceBinding(store, realTime, logger)], store };
}

/** pino's Logger is a FastifyBaseLogger at runtime; the declared generics differ only in defaults. */
function httpLogger(logger: Logger, component: string): FastifyBaseLogger {
  return logger.child({ component }) as FastifyBaseLogger;
}

/** Every connection change made here (rotation, unregistration) drops cached tokens and partners at once. */
function clearingOnChange(events: ConnectionEvents, clear: () => void): ConnectionEvents {
  return {
    async published(connection, change, correlationId) {
      clear();
      await events.published(connection, change, correlationId);
    },
  };
}
