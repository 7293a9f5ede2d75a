import Fastify, { type FastifyInstance } from 'fastify';
import { createLogger } from '@voltmesh/telemetry';
import type { ConnectionStore } from '../../adapters/connection-store.js';
import { TtlCache } from '../../adapters/ttl-cache.js';
import type { Connection } from '../../domain/connection.js';
import { registerUnknownModuleRoutes } from './modules-routes.js';
import { ocpiServerOptions, registerOcpiConventions } from './ocpi-conventions.js';

/**
 * For route tests (`inject()`, no port): the gateway's real OCPI conventions (auth, envelope,
 * error mapping, router errors) and unknown-module fallbacks around the routes under test. Partners are
 * known by the token cache; the store is never read, and knows no other token.
 */
export async function ocpiTestApp(partners: Connection[], register: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const tokens = new TtlCache<Connection>(3_600_000);
  for (const partner of partners) tokens.set(tokenOf(partner), partner);
  // Only findByInboundToken is reached (for a token not in the cache): nobody else is known.
  const store = { findByInboundToken: async () => undefined } as unknown as ConnectionStore;
  const app = Fastify({ ...ocpiServerOptions });
  registerOcpiConventions(app, { store, tokens, logger: createLogger('route-test', 'silent') });
  register(app);
  registerUnknownModuleRoutes(app);
  await app.ready();
  return app;
}

/** A registered partner platform with these roles (`[role, country_code, party_id]`). */
export function aPartner(id: string, roles: Array<[role: string, countryCode: string, partyId: string]>): Connection {
  return {
    id,
    state: 'REGISTERED',
    initiator: 'PARTNER',
    authMode: 'base64',
    roles: roles.map(([role, countryCode, partyId]) => ({ role, countryCode, partyId, businessName: `${countryCode}*${partyId}` })),
    endpoints: [],
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

/** The Authorization header of that partner, Base64 as 2.2.1 sends it. */
export const authAs = (partner: Connection): Record<string, string> => ({ authorization: `Token ${Buffer.from(tokenOf(partner)).toString('base64')}` });

const tokenOf = (partner: Connection): string => `token-of-${partner.id}`;
