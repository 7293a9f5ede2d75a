import type { Logger } from '@voltmesh/telemetry';
import type { ConnectionStore } from '../adapters/connection-store.js';
import type { PartnerClient } from '../adapters/partner-client.js';
import type { Connection } from '../domain/connection.js';
import type { OwnPlatform } from '../domain/own-credentials.js';

export type ConnectionChange = 'REGISTERED' | 'UPDATED' | 'UNREGISTERED';

/** Announces connection changes on Kafka (gateway.partner-connection.v1). */
export interface ConnectionEvents {
  published(connection: Connection, change: ConnectionChange, correlationId?: string): Promise<void>;
}

/** What the use cases need; app.ts builds it once. */
export interface GatewayContext {
  store: ConnectionStore;
  partners: PartnerClient;
  events: ConnectionEvents;
  platform: OwnPlatform;
  logger: Logger;
  /** Token lifetimes (REGISTRATION_TOKEN_TTL_MS, CREDENTIALS_ROTATION_GRACE_MS). */
  tokens: TokenLifetimes;
}

export interface TokenLifetimes {
  /** How long a registration token (the token A we hand out, the token B we mint when we connect) works. */
  registrationTtlMs: number;
  /** How long a token replaced by a credentials PUT keeps working on functional modules (0: not at all). */
  rotationGraceMs: number;
}
