import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newestOfEach } from './coalesce.js';

describe('newestOfEach', () => {
  const changes = [
    { key: 'a', rev: 1n },
    { key: 'b', rev: 7n },
    { key: 'a', rev: 3n },
    { key: 'a', rev: 2n },
    { key: 'c', rev: 1n },
  ];
  const newest = newestOfEach(changes, (change) => change.key, (candidate, held) => candidate.rev > held.rev);

  test('keeps the newest change of each object, even when an older one comes later, in first-seen order', () => {
    assert.deepEqual(newest.map((entry) => entry.change), [{ key: 'a', rev: 3n }, { key: 'b', rev: 7n }, { key: 'c', rev: 1n }]);
  });

  test('counts what each kept change superseded', () => {
    assert.deepEqual(newest.map((entry) => entry.superseded), [2, 0, 0]);
  });
});
