import { failedPrecondition, invalidArgument, unavailable } from '@voltmesh/errors';
import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { KeyedLock } from '@voltmesh/mongo';
import { tokens } from '@voltmesh/proto';
import type { TokenStore } from '../adapters/token-store.js';
import { tokenKey, type Owner, type StoredToken, type TokenKey } from '../domain/stored-token.js';
import type { TokenChange } from '../domain/token-change.js';
import type { TokenCache } from './token-cache.js';
import { toProto } from './token-proto.js';

export interface WriteResult {
  /** The state after the write (undefined: the token was never stored). */
  stored: StoredToken | undefined;
  changed: boolean;
}

/** Who writes: our own API, or one partner connection. */
export type TokenWriterId = { owner: 'OWN' } | { owner: 'PARTNER'; connectionId: string };

const MAX_ATTEMPTS = 8;

/**
 * The one way tokens change: read from the store, apply a pure change, save if nobody wrote
 * meanwhile (else re-read and re-apply), put the result in the cache, then publish
 * TokenChanged. A write that changes nothing (replay, older last_updated, same content) saves
 * and publishes nothing, which makes every consumer and RPC on top of it idempotent.
 *
 * A token belongs to whoever stored it first: our own API, or the one partner connection that
 * pushed it. Anyone else's write is FAILED_PRECONDITION (a partner's goes to the DLQ).
 */
export class TokenWriter {
  constructor(
    private readonly store: TokenStore,
    private readonly publisher: EventPublisher,
    private readonly cache: TokenCache,
  ) {}

  private readonly lock = new KeyedLock();

  /** Writers of one token take turns in this process (see KeyedLock: FerretDB's conditional updates race). */
  async write(key: TokenKey, writer: TokenWriterId, change: TokenChange): Promise<WriteResult> {
    return this.lock.run(tokenKey(key), () => this.writeOnce(key, writer, change));
  }

  private async writeOnce(key: TokenKey, writer: TokenWriterId, change: TokenChange): Promise<WriteResult> {
    const connectionId = writer.owner === 'PARTNER' ? writer.connectionId : '';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const stored = await this.store.get(key);
      if (stored) assertWritable(stored, key, writer.owner, connectionId);
      const next = change(stored);
      if (!next.changed) {
        // Repairs a save whose event was lost (crash or Kafka failure right after the save).
        if (stored?.unpublished) await this.publish(stored);
        return { stored, changed: false };
      }
      if (tokenKey(next.state.token) !== tokenKey(key)) throw invalidArgument(`the token ${tokenKey(next.state.token)} does not match its key ${tokenKey(key)}`);
      const saved = await this.store.save({ ...next.state, owner: writer.owner, connection_id: connectionId }, stored);
      if (!saved) continue; // another writer won: re-read and re-apply
      this.cache.apply(saved);
      await this.publish(saved);
      return { stored: saved, changed: true };
    }
    throw unavailable(`token ${tokenKey(key)} is changing too fast to write (${MAX_ATTEMPTS} attempts)`);
  }

  /**
   * Publishes a save whose event may be missing — the state stored now, under the token's
   * lock, so a repair never announces an older state after a newer one.
   */
  async republish(key: string): Promise<void> {
    await this.lock.run(key, async () => {
      const current = await this.store.get(key);
      if (current?.unpublished) await this.publish(current);
    });
  }

  /** Publishes the state of a save and clears its marker. */
  private async publish(saved: StoredToken): Promise<void> {
    const key = tokenKey(saved.token);
    const event: tokens.TokenChanged = { token: toProto(saved), connectionId: saved.connection_id };
    await this.publisher.publish({
      topic: Topics.token,
      key,
      type: 'voltmesh.authorization.v1.TokenChanged',
      value: tokens.TokenChanged.encode(event).finish(),
      ...(saved.connection_id ? { partner: saved.connection_id } : {}),
    });
    await this.store.markPublished(key, saved.rev);
  }
}

function assertWritable(stored: StoredToken, key: TokenKey, owner: Owner, connectionId: string): void {
  if (stored.owner !== owner) {
    throw failedPrecondition(`token ${tokenKey(key)} belongs to ${stored.owner === 'OWN' ? 'one of our own parties' : 'a partner'}`);
  }
  if (owner === 'PARTNER' && stored.connection_id !== connectionId) {
    throw failedPrecondition(`token ${tokenKey(key)} belongs to another partner connection (${stored.connection_id})`);
  }
}
