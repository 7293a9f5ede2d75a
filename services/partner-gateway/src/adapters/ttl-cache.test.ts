import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '../domain/connection.js';
import { TtlCache } from './ttl-cache.js';

const connection = (id: string) => ({ id }) as Connection;

test('cached entries expire after the TTL, the oldest go first when full, and clear() forgets all', () => {
  let now = 0;
  const cache = new TtlCache<Connection>(1_000, 2, () => now);
  cache.set('a', connection('A'));
  cache.set('b', connection('B'));
  assert.equal(cache.get('a')?.id, 'A');
  cache.set('c', connection('C'));
  assert.equal(cache.get('a'), undefined, 'evicted: the cache is bounded');
  now = 1_000;
  assert.equal(cache.get('b'), undefined, 'expired');
  cache.set('d', connection('D'));
  cache.clear();
  assert.equal(cache.get('d'), undefined);
  const off = new TtlCache<Connection>(0);
  off.set('x', connection('X'));
  assert.equal(off.get('x'), undefined, 'a TTL of 0 turns caching off');
});
