import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '@voltmesh/telemetry';
import { aToken } from '@voltmesh/testing';
import { tokenKey, uidTypeKey, type KnownToken } from '../domain/stored-token.js';
import { TokenCache, type TokenSource } from './token-cache.js';

const known = (overrides: Parameters<typeof aToken>[0] = {}): KnownToken => ({ token: aToken(overrides), owner: 'PARTNER', connection_id: 'conn-1' });

/** A store whose reads can be held open, counting them. */
class FakeSource implements TokenSource {
  readonly tokens = new Map<string, KnownToken>();
  reads = 0;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open();
  }
  async get(key: string): Promise<KnownToken | undefined> {
    this.reads += 1;
    const value = this.tokens.get(key);
    await this.gate;
    return value;
  }
  async findByUidType(uidType: string): Promise<KnownToken[]> {
    this.reads += 1;
    const found = [...this.tokens.values()].filter((entry) => uidTypeKey(entry.token.uid, entry.token.type) === uidType);
    await this.gate;
    return found;
  }
}

const setup = (options: { capacity?: number } = {}) => {
  const source = new FakeSource();
  let now = 1_000;
  const cache = new TokenCache(source, { capacity: options.capacity ?? 100, unknownTtlMs: 5_000, refreshAfterMs: 60_000 }, createLogger('test', 'silent'), () => now);
  return { source, cache, advance: (ms: number) => (now += ms) };
};

describe('token cache', () => {
  test('a miss reads the store once, however many ask; then memory answers', async () => {
    const { source, cache } = setup();
    const token = known();
    source.tokens.set(tokenKey(token.token), token);
    const key = tokenKey(token.token);
    const answers = await Promise.all([cache.get(key), cache.get(key), cache.get(key)]);
    assert.deepEqual(answers, [token, token, token]);
    assert.equal(await cache.get(key), token);
    assert.equal(source.reads, 1);
  });

  test('"unknown" is remembered for a while, and a write ends it at once', async () => {
    const { source, cache, advance } = setup();
    const token = known();
    const key = tokenKey(token.token);
    assert.equal(await cache.get(key), undefined);
    assert.equal(await cache.get(key), undefined);
    assert.equal(source.reads, 1);
    advance(5_000);
    assert.equal(await cache.get(key), undefined);
    assert.equal(source.reads, 2, 're-read after the TTL');
    cache.apply(token);
    assert.equal(await cache.get(key), token);
    assert.equal(source.reads, 2);
  });

  test('the newest last_updated wins: an older event or a slow store read never rolls a token back', async () => {
    const { source, cache } = setup();
    const v1 = known({ last_updated: '2026-05-10T10:00:00.000Z' });
    const v2 = known({ valid: false, last_updated: '2026-05-11T10:00:00.000Z' });
    const key = tokenKey(v1.token);
    source.tokens.set(key, v1);
    source.hold();
    const reading = cache.get(key); // reads v1 from the store ...
    cache.apply(v2); // ... while v2 is written
    source.release();
    assert.equal(await reading, v2);
    cache.apply(v1); // a late event
    assert.equal(await cache.get(key), v2);
  });

  test('lookups by uid and type include tokens written during the store read and after it', async () => {
    const { source, cache } = setup();
    const first = known({ party_id: 'AAA', uid: 'CARD1' });
    source.tokens.set(tokenKey(first.token), first);
    source.hold();
    const finding = cache.findByUidType('card1', 'RFID');
    const during = known({ party_id: 'BBB', uid: 'CARD1' });
    cache.apply(during); // saved after the store read began: the read may not see it
    source.release();
    assert.deepEqual((await finding).map((entry) => entry.token.party_id).sort(), ['AAA', 'BBB']);
    const after = known({ party_id: 'CCC', uid: 'CARD1' });
    cache.apply(after);
    const reads = source.reads;
    assert.deepEqual((await cache.findByUidType('CARD1', 'RFID')).map((entry) => entry.token.party_id).sort(), ['AAA', 'BBB', 'CCC']);
    assert.equal(source.reads, reads, 'from memory');
    assert.deepEqual(await cache.findByUidType('CARD1', 'APP_USER'), [], 'another type is another token');
  });

  test('holds at most its capacity, dropping the least recently used', async () => {
    const { source, cache } = setup({ capacity: 2 });
    const [a, b, c] = ['A', 'B', 'C'].map((uid) => known({ uid }));
    cache.apply(a!);
    cache.apply(b!);
    await cache.get(tokenKey(a!.token)); // a is now more recent than b
    cache.apply(c!);
    assert.equal(cache.size, 2);
    const reads = source.reads;
    await cache.get(tokenKey(a!.token));
    assert.equal(source.reads, reads, 'a kept');
    await cache.get(tokenKey(b!.token));
    assert.equal(source.reads, reads + 1, 'b dropped');
  });
});
