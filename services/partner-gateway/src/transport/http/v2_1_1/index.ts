import type { FastifyInstance } from 'fastify';
import type { Tariff } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import type { RateLimiter } from '../../../adapters/rate-limiter.js';
import type { TokensClient } from '../../../adapters/tokens-client.js';
import type { CdrReceiverDeps } from '../../../application/receivers/receive-cdr.js';
import type { CommandReceiverDeps } from '../../../application/receivers/receive-command.js';
import type { CommandResultDeps } from '../../../application/receivers/receive-command-result.js';
import type { LocationReceiverDeps } from '../../../application/receivers/receive-location.js';
import type { SessionReceiverDeps } from '../../../application/receivers/receive-session.js';
import type { TariffReceiverDeps } from '../../../application/receivers/receive-tariff.js';
import type { TokenReceiverDeps } from '../../../application/receivers/receive-token.js';
import type { CdrSenderDeps } from '../../../application/senders/list-cdrs.js';
import type { OwnObjectPages } from '../../../application/senders/list-own.js';
import type { SessionSenderDeps } from '../../../application/senders/list-sessions.js';
import type { LocationSenderDeps } from '../../../application/senders/read-own-location.js';
import type { TokenSenderDeps } from '../tokens-routes.js';
import { registerCdrRoutes211 } from './cdrs-routes.js';
import { registerCommandRoutes211 } from './commands-routes.js';
import { Edge211 } from './edge-211.js';
import { registerLocationRoutes211 } from './locations-routes.js';
import { registerSessionRoutes211 } from './sessions-routes.js';
import type { LocationLookup } from './page-locations.js';
import { registerTariffRoutes211 } from './tariffs-routes.js';
import { registerTokenRoutes211 } from './tokens-routes.js';
import { applyVersionScope211 } from './version-scope.js';

/** The use cases' dependencies, the same the 2.2.1 routes get, and what only 2.1.1 needs. */
export interface Routes211Deps {
  logger: Logger;
  publicUrl: string;
  locations: { receiver: LocationReceiverDeps; sender: LocationSenderDeps };
  tariffs: { receiver: TariffReceiverDeps; sender: { tariffs: OwnObjectPages<Tariff>; maxLimit: number } };
  tokens: { receiver: TokenReceiverDeps; sender: TokenSenderDeps };
  commands: { receiver: CommandReceiverDeps; results: CommandResultDeps; limiter: Pick<RateLimiter, 'take'> };
  sessions: { receiver: SessionReceiverDeps; sender: SessionSenderDeps };
  cdrs: { receiver: CdrReceiverDeps; sender: CdrSenderDeps };
  /** Our tokens by contract id: 2.1.1 Sessions and CDRs name the driver by `auth_id`. */
  ownTokens: Pick<TokensClient, 'findOwnByContractId'>;
  /** Locations (ours and partners'): a 2.1.1 Session embeds its Location. */
  locationLookup: LocationLookup;
}

/**
 * Every functional module of OCPI 2.1.1 under `/ocpi/2.1.1`, in its own scope (only 2.1.1
 * connections, only 2.1.1 status codes): the same use cases as 2.2.1, through the 2.1.1
 * mappers at this edge. Versions and credentials are registered with 2.2.1's.
 */
export function registerRoutes211(app: FastifyInstance, deps: Routes211Deps): void {
  void app.register(async (scope) => {
    applyVersionScope211(scope);
    const edge = new Edge211(deps.logger.child({ component: 'ocpi-2.1.1' }));
    registerLocationRoutes211(scope, edge, deps.locations.receiver, deps.locations.sender, deps.publicUrl);
    registerTariffRoutes211(scope, edge, deps.tariffs.receiver, deps.tariffs.sender, deps.publicUrl);
    registerTokenRoutes211(scope, edge, deps.tokens.receiver, deps.tokens.sender, deps.publicUrl);
    registerCommandRoutes211(scope, edge, deps.commands.receiver, deps.commands.results, deps.commands.limiter);
    registerSessionRoutes211(scope, edge, { ...deps.sessions.receiver, ownTokens: deps.ownTokens, locations: deps.locationLookup }, { ...deps.sessions.sender, locations: deps.locationLookup }, deps.publicUrl);
    registerCdrRoutes211(scope, edge, { ...deps.cdrs.receiver, ownTokens: deps.ownTokens }, { ...deps.cdrs.sender, locations: deps.locationLookup }, deps.publicUrl);
  });
}
