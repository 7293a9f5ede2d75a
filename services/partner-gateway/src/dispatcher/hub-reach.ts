import type { ConnectionStatus } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import type { HubClientInfoStore } from '../adapters/hub-client-info-store.js';
import { partyKey } from '../domain/connection.js';

/**
 * Which parties behind each hub may be pushed to, from what the hubs reported (HubClientInfo).
 * OFFLINE: "do not queue pushes, the party resyncs by GET"; PLANNED and SUSPENDED: not reachable
 * at all. A party a hub never reported is tried (the hub answers if it cannot route). Reloaded
 * periodically from the gateway's store: a handful of documents per party.
 */
export class HubReach {
  private statuses = new Map<string, ConnectionStatus>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<HubClientInfoStore, 'list'>,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    const next = new Map<string, ConnectionStatus>();
    for (const held of await this.store.list()) next.set(`${held.hub_connection_id}|${held.party_key}`, held.info.status);
    this.statuses = next;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.load().catch((error: unknown) => this.logger.warn({ err: error }, 'reloading hub client info failed')), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Whether pushes for the party may go through this hub now. */
  reachable(hubConnectionId: string, party: { countryCode: string; partyId: string }): boolean {
    const status = this.statuses.get(`${hubConnectionId}|${partyKey(party.countryCode, party.partyId)}`);
    return status === undefined || status === 'CONNECTED';
  }
}
