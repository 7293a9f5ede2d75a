import type { ConnectionStore } from '../adapters/connection-store.js';
import { TtlCache } from '../adapters/ttl-cache.js';
import { partyKey, type AuthMode, type Connection, type PartnerEndpoint } from '../domain/connection.js';

export interface PartnerAddress {
  connection: Connection;
  endpoint: PartnerEndpoint;
  token: string;
  authMode: AuthMode;
}

/**
 * Finds the registered partner that hosts a party in a role, its endpoint for a module, and
 * the token we present to it — from a snapshot refreshed every `ttlMs`, so a real-time call
 * (authorization, a command) does not wait for a database read. Connection changes made by
 * this process clear it at once; other replicas' changes show within `ttlMs`.
 */
export class PartnerReach {
  private readonly snapshot: TtlCache<Connection[]>;
  private readonly tokens: TtlCache<string>;
  /** The snapshot being read: requests arriving when it expired share one database read. */
  private loading: Promise<Connection[]> | undefined;

  constructor(
    private readonly store: Pick<ConnectionStore, 'list' | 'outboundToken'>,
    ttlMs: number,
  ) {
    this.snapshot = new TtlCache<Connection[]>(ttlMs, 1);
    this.tokens = new TtlCache<string>(ttlMs);
  }

  /** The partner hosting `party` in `role` with a `module` endpoint of `interfaceRole`; undefined when none. */
  async find(role: string, party: { countryCode: string; partyId: string }, module: string, interfaceRole: 'SENDER' | 'RECEIVER'): Promise<PartnerAddress | undefined> {
    const key = partyKey(party.countryCode, party.partyId);
    const connection = (await this.registered()).find((candidate) =>
      candidate.roles.some((held) => held.role === role && partyKey(held.countryCode, held.partyId) === key),
    );
    const endpoint = connection?.endpoints.find((candidate) => candidate.module === module && candidate.interfaceRole === interfaceRole);
    if (!connection || !endpoint) return undefined;
    const token = await this.outboundToken(connection.id);
    return token ? { connection, endpoint, token, authMode: connection.authMode } : undefined;
  }

  clear(): void {
    this.loading = undefined;
    this.snapshot.clear();
    this.tokens.clear();
  }

  private async registered(): Promise<Connection[]> {
    const held = this.snapshot.get('all');
    if (held) return held;
    this.loading ??= this.store.list('REGISTERED').then(
      (connections) => {
        this.snapshot.set('all', connections);
        this.loading = undefined;
        return connections;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  private async outboundToken(id: string): Promise<string | undefined> {
    let token = this.tokens.get(id);
    if (token === undefined) {
      token = await this.store.outboundToken(id);
      if (token) this.tokens.set(id, token);
    }
    return token;
  }
}
