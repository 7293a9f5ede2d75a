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
}
