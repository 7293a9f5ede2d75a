import type { Logger } from '@voltmesh/telemetry';
import { tokenKey, uidTypeKey, type KnownToken, type TokenType } from '../domain/stored-token.js';
import { BoundedCache } from './bounded-cache.js';

/** Where the cache reads what it does not hold (the token store). */
export interface TokenSource {
  get(key: string): Promise<KnownToken | undefined>;
  findByUidType(uidType: string): Promise<KnownToken[]>;
}

export interface TokenCacheOptions {
  capacity: number;
  /** How long "no such token" (or "no token with this uid and type") is believed. */
  unknownTtlMs: number;
  /** After this, a held token is re-read in the background; the caller gets the held one at once. */
  refreshAfterMs: number;
}

/**
 * Tokens in memory, so an authorization decision does not wait for the database (FerretDB
 * takes 2–25 ms per operation; the answer's budget is 20 ms at p99).
 *
 * - By key (`CC*PID*UID*TYPE`): the token, or "unknown" for `unknownTtlMs`. A miss reads the
 *   store once however many callers wait for it.
 * - By uid and type (how our CPO finds a token the charger read): the keys of every token with
 *   them, complete as of the store read; writes add to it (a token's uid and type never change).
 * - Kept current by this replica's writer and by the follower of authorization.token.v1 (every
 *   replica's writes): `apply` keeps the newest by `last_updated` (ties go to the later
 *   arrival), so a late or replayed event never rolls a token back. Held tokens are also
 *   re-read after `refreshAfterMs`, in the background, as a safety net for a missed event.
 * - Bounded: at most `capacity` tokens and as many uid+type entries; least recently used go first.
 */
export class TokenCache {
  private readonly byKey: BoundedCache<KnownToken | undefined>;
  private readonly byUidType: BoundedCache<Set<string>>;
  private readonly loadingKeys = new Map<string, Promise<KnownToken | undefined>>();
  /** uid+type lookups in flight, with the keys written meanwhile (the store read may predate them). */
  private readonly loadingUidTypes = new Map<string, { promise: Promise<Set<string>>; written: Set<string> }>();

  constructor(
    private readonly source: TokenSource,
    private readonly options: TokenCacheOptions,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.byKey = new BoundedCache(options.capacity, clock);
    this.byUidType = new BoundedCache(options.capacity, clock);
  }

  /** The token with this key, or undefined when there is none. */
  async get(key: string): Promise<KnownToken | undefined> {
    const held = this.byKey.get(key);
    if (held) {
      const age = this.clock() - held.at;
      if (held.value === undefined) {
        if (age < this.options.unknownTtlMs) return undefined;
      } else {
        if (age >= this.options.refreshAfterMs) this.refreshInBackground(key);
        return held.value;
      }
    }
    return this.load(key);
  }

  /** Every token with this uid and type, whichever eMSP issued it. */
  async findByUidType(uid: string, type: TokenType): Promise<KnownToken[]> {
    const uidType = uidTypeKey(uid, type);
    const held = this.byUidType.get(uidType);
    let keys: Set<string>;
    if (held && (held.value.size > 0 || this.clock() - held.at < this.options.unknownTtlMs)) {
      keys = held.value;
    } else {
      keys = await this.loadUidType(uidType);
    }
    const tokens = await Promise.all([...keys].map((key) => this.get(key)));
    return tokens.filter((token) => token !== undefined);
  }

  /** Records a written or announced state, unless a newer one is held. */
  apply(known: KnownToken): void {
    const key = tokenKey(known.token);
    const held = this.byKey.peek(key)?.value;
    if (held && held.token.last_updated > known.token.last_updated) return;
    this.byKey.set(key, known);
    const uidType = uidTypeKey(known.token.uid, known.token.type);
    this.byUidType.peek(uidType)?.value.add(key);
    this.loadingUidTypes.get(uidType)?.written.add(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  private load(key: string): Promise<KnownToken | undefined> {
    const loading = this.loadingKeys.get(key);
    if (loading) return loading;
    const promise = this.source
      .get(key)
      .then((loaded) => {
        this.fill(key, loaded);
        return this.byKey.peek(key)?.value;
      })
      .finally(() => this.loadingKeys.delete(key));
    this.loadingKeys.set(key, promise);
    return promise;
  }

  private refreshInBackground(key: string): void {
    if (this.loadingKeys.has(key)) return;
    this.load(key).catch((error: unknown) => this.logger.warn({ err: error }, 'refreshing a cached token failed'));
  }

  /** A store read arrived: it replaces what is held unless a newer state was applied meanwhile. */
  private fill(key: string, loaded: KnownToken | undefined): void {
    const held = this.byKey.peek(key)?.value;
    if (loaded === undefined) {
      if (held === undefined) this.byKey.set(key, undefined);
      return;
    }
    if (held && held.token.last_updated > loaded.token.last_updated) return;
    this.byKey.set(key, loaded);
  }

  private loadUidType(uidType: string): Promise<Set<string>> {
    const loading = this.loadingUidTypes.get(uidType);
    if (loading) return loading.promise;
    const written = new Set<string>();
    const promise = this.source
      .findByUidType(uidType)
      .then((found) => {
        const keys = new Set(written);
        for (const known of found) {
          const key = tokenKey(known.token);
          this.fill(key, known);
          keys.add(key);
        }
        this.byUidType.set(uidType, keys);
        return keys;
      })
      .finally(() => this.loadingUidTypes.delete(uidType));
    this.loadingUidTypes.set(uidType, { promise, written });
    return promise;
  }
}
