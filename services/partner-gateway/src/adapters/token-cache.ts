import type { Connection } from '../domain/connection.js';

/**
 * Registered partners by the token they present, for a few seconds: every functional request
 * would otherwise cost a database read before any work. Any connection change in this process
 * clears it at once (rotation, unregistration); other gateway replicas see a change within
 * `ttlMs`. Bounded: when full, the oldest entries go first.
 */
export class TokenCache {
  private readonly entries = new Map<string, { connection: Connection; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): Connection | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.connection;
  }

  set(token: string, connection: Connection): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { connection, expires: this.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
