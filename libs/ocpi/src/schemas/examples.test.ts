import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { evseSchema, locationSchema } from './locations.js';
import { tariffSchema } from './tariffs.js';

const examples = join(import.meta.dirname, '../../../../../shared/ocpi/examples/2.2.1');
const read = (file: string): unknown => JSON.parse(readFileSync(join(examples, file), 'utf8'));
const files = (prefix: string) => readdirSync(examples).filter((file) => file.startsWith(prefix) && file.endsWith('.json'));
const issues = (result: z.ZodSafeParseResult<unknown>) => JSON.stringify(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));

/** Example files that are known defects of the spec (NOTICE.md): they must be refused. */
const KNOWN_INVALID = new Set(['location_put_example_add_evse.json', 'tariff_put_example.json']);
/** Examples of other shapes that share a file prefix. */
const NOT_A_LOCATION = /^location_(patch|hours|regularhours|energymix)/;

describe('the official 2.2.1 examples against our schemas', () => {
  test('every full location example parses', () => {
    const locations = files('location_').filter((file) => !NOT_A_LOCATION.test(file) && !KNOWN_INVALID.has(file));
    assert.ok(locations.length >= 5, 'locations.length >= 5');
    for (const file of locations) {
      const result = locationSchema.safeParse(read(file));
      assert.ok(result.success, `${file}: ${issues(result)}`);
    }
  });

  test('the add-EVSE example is refused, naming what it lacks', () => {
    const result = evseSchema.safeParse(read('location_put_example_add_evse.json'));
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    assert.ok(paths.some((path) => path.endsWith('power_type')), issues(result));
    assert.ok(paths.some((path) => path === 'last_updated' || path.endsWith('last_updated')), issues(result));
  });

  test('every tariff example parses, except the one without last_updated', () => {
    const tariffs = files('tariff_');
    assert.ok(tariffs.length >= 15, 'tariffs.length >= 15');
    for (const file of tariffs) {
      const result = tariffSchema.safeParse(read(file));
      if (KNOWN_INVALID.has(file)) {
        assert.equal(result.success, false, file);
        assert.match(issues(result), /last_updated/);
      } else {
        assert.ok(result.success, `${file}: ${issues(result)}`);
      }
    }
  });

  test('the 2026 errata lengths: address up to 255, state up to 45', () => {
    const base = read('location_example.json') as Record<string, unknown>;
    assert.ok(locationSchema.safeParse({ ...base, address: 'a'.repeat(255), state: 's'.repeat(45) }).success, 'locationSchema.safeParse({ ...base, address: "a".repeat(255), state: "s".repeat(45) }).success');
    const tooLong = locationSchema.safeParse({ ...base, address: 'a'.repeat(256), state: 's'.repeat(46) });
    assert.deepEqual(tooLong.error?.issues.map((issue) => issue.path.join('.')).sort(), ['address', 'state']);
  });
});
