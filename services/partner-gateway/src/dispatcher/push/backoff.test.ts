import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fullJitterBackoff, parseRetryAfter } from './backoff.js';

describe('fullJitterBackoff', () => {
  test('stays within [0, min(cap, base * 2^(n-1))] and reaches its ceiling', () => {
    const base = 100;
    const cap = 1_000;
    for (const failures of [1, 2, 3, 4, 5, 10, 60, 10_000]) {
      const ceiling = Math.min(cap, base * 2 ** (failures - 1));
      assert.equal(fullJitterBackoff(failures, base, cap, () => 0), 0);
      const top = fullJitterBackoff(failures, base, cap, () => 0.999999);
      assert.ok(top <= ceiling && top >= ceiling - 1, `failures ${failures}: ${top} vs ${ceiling}`);
      for (let i = 0; i < 200; i += 1) {
        const delay = fullJitterBackoff(failures, base, cap);
        assert.ok(Number.isInteger(delay) && delay >= 0 && delay <= ceiling, 'Number.isInteger(delay) && delay >= 0 && delay <= ceiling');
      }
    }
  });

  test('spreads retries: partners failing together do not come back together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => fullJitterBackoff(8, 100, 60_000)));
    assert.ok(delays.size > 40, 'delays.size > 40');
  });

  test('treats 0 or fewer failures as the first', () => {
    assert.equal(fullJitterBackoff(0, 100, 1_000, () => 0.5), 50);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');

  test('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  test('reads an HTTP date relative to now; a past date is 0', () => {
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now), 0);
  });

  test('ignores what is absent or unreadable', () => {
    for (const value of [undefined, '', '-5', '1.5', 'soon', 'in 1 hour']) assert.equal(parseRetryAfter(value, now), undefined, String(value));
  });
});
