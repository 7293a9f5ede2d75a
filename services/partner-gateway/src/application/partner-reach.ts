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
    this.snapshot.clear();
    this.tokens.clear();
  }

  private async registered(): Promise<Connection[]> {
    let connections = this.snapshot.get('all');
    if (!connections) {
      connections = await this.store.list('REGISTERED');
      this.snapshot.set('all', connections);
    }
    return connections;
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
