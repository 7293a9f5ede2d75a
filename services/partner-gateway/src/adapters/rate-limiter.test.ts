import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from './rate-limiter.js';

test('a partner gets its burst, then one request per refill interval; partners do not share a bucket', () => {
  let now = 0;
  const limiter = new RateLimiter(60, 3, () => now);
  assert.deepEqual([limiter.take('a'), limiter.take('a'), limiter.take('a')], [0, 0, 0]);
  assert.equal(limiter.take('a'), 1, 'the fourth in the same instant waits a second');
  assert.equal(limiter.take('b'), 0, 'another partner is not limited by a');
  now += 1_000;
  assert.equal(limiter.take('a'), 0);
  assert.ok(limiter.take('a') >= 1, 'limiter.take("a") >= 1');
});
