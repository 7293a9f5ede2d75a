import type { Logger } from '@voltmesh/telemetry';
import type { ConnectionStore } from '../adapters/connection-store.js';
import type { Connection } from '../domain/connection.js';

/**
 * The dispatcher's view of which partners are registered and which endpoints they offer,
 * kept current from gateway.partner-connection.v1 events. The store stays the truth: an event
 * only says which connection to re-read, so a replayed or out-of-order event changes nothing.
 */
export class PartnerDirectory {
  private readonly live = new Map<string, Connection>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly logger: Logger,
  ) {}

  async loadAll(): Promise<void> {
    const registered = await this.store.list('REGISTERED');
    this.live.clear();
    for (const connection of registered) this.live.set(connection.id, connection);
    this.logger.info({ partners: this.live.size }, 'partner directory loaded');
  }

  async refresh(connectionId: string): Promise<void> {
    const connection = await this.store.get(connectionId);
    if (connection?.state === 'REGISTERED') {
      this.live.set(connectionId, connection);
    } else {
      this.live.delete(connectionId);
    }
    this.logger.info({ connection_id: connectionId, registered: this.live.has(connectionId), partners: this.live.size }, 'partner directory updated');
  }

  /** The registered connections, as last loaded. */
  registered(): IterableIterator<Connection> {
    return this.live.values();
  }

  get(connectionId: string): Connection | undefined {
    return this.live.get(connectionId);
  }

  get size(): number {
    return this.live.size;
  }
}
