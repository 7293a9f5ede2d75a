import { z } from 'zod';
import { grpcServiceEnv, ownParties, parseEnv, positiveInt } from '@voltmesh/config';

const env = z.object({
  ...grpcServiceEnv({ mongoDb: 'voltmesh_authorization', grpcPort: 50052 }),
  /** The parties this platform hosts: our EMSP parties issue tokens, our CPO parties ask for authorization. */
  OWN_PARTIES: ownParties,
  /** The gateway's PartnerService: how we ask a partner eMSP in real time. */
  GATEWAY_GRPC_ADDRESS: z.string().default('127.0.0.1:50050'),
  /** How long a partner eMSP has to answer a real-time authorization before the whitelist decides. */
  RTA_TIMEOUT_MS: positiveInt(2_000),
  /** Page size of ListTokens when the caller names none. */
  LIST_DEFAULT_LIMIT: positiveInt(100),
  /** The most one ListTokens page returns, whatever the caller asks (OCPI X-Limit). */
  LIST_MAX_LIMIT: positiveInt(500),
  /** How often saves whose event may be lost are looked for and republished. */
  REPUBLISH_INTERVAL_MS: positiveInt(5_000),
  /** Tokens (and uid+type lookups) kept in memory for authorization; least recently used go first. */
  TOKEN_CACHE_SIZE: positiveInt(100_000),
  /** How long "no such token" is remembered before the database is asked again. */
  TOKEN_CACHE_UNKNOWN_TTL_MS: positiveInt(5_000),
  /** After this, a cached token is re-read in the background (the answer never waits for it). */
  TOKEN_CACHE_REFRESH_MS: positiveInt(300_000),
  /** Decisions written to the audit log in one insert. */
  DECISION_BATCH_SIZE: positiveInt(200),
  /** Most time a decision waits in memory before it is written. */
  DECISION_FLUSH_MS: positiveInt(50),
  /** Most decisions held in memory while the database is slow or down; beyond it the oldest are dropped. */
  DECISION_BUFFER_MAX: positiveInt(20_000),
});

export type AuthorizationConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadAuthorizationConfig(source: NodeJS.ProcessEnv = process.env): AuthorizationConfig {
  return parseEnv(env, source);
}
