import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidPushVersion, pushVersion } from './version.js';

describe('push versions', () => {
  test('string order is time order, then sequence order', () => {
    const ordered = [
      pushVersion(new Date('2026-01-01T00:00:00Z')),
      pushVersion(new Date('2026-01-01T00:00:00Z'), 9),
      pushVersion(new Date('2026-01-01T00:00:00Z'), 10),
      pushVersion(new Date('2026-01-01T00:00:00.001Z'), 0),
      pushVersion(new Date('2026-01-01T00:00:01Z'), 0),
      pushVersion(new Date('2027-01-01T00:00:00Z'), '5'),
    ];
    for (let i = 1; i < ordered.length; i += 1) {
      // Plain string order, as Mongo's $lt compares them, must be time order.
      assert.ok(ordered[i - 1]! < ordered[i]!, `${ordered[i - 1]} < ${ordered[i]}`);
    }
    assert.deepEqual([...ordered].reverse().sort(), ordered);
  });

  test('has a fixed width and is a valid version', () => {
    const version = pushVersion(new Date('2026-01-01T00:00:00Z'), 42n);
    assert.equal(version, '2026-01-01T00:00:00.000Z#0000000000000042');
    assert.ok(isValidPushVersion(version), 'isValidPushVersion(version)');
  });

  test('refuses what would not sort', () => {
    assert.throws(() => pushVersion(new Date('nope')), RangeError);
    assert.throws(() => pushVersion(new Date('2026-01-01T00:00:00Z'), -1), RangeError);
    assert.throws(() => pushVersion(new Date('2026-01-01T00:00:00Z'), 10n ** 16n), RangeError);
    assert.ok(!isValidPushVersion(''), '!isValidPushVersion("")');
    assert.ok(!isValidPushVersion('with space'), '!isValidPushVersion("with space")');
    assert.ok(!isValidPushVersion('é'), '!isValidPushVersion("é")');
  });
});
