import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { inPeriod, parseInstant, parsePeriod } from './finance-period.js';

const refused = (field: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, 'an AppError');
  assert.equal(error.code, 'INVALID_ARGUMENT');
  assert.match(error.message, field);
  return true;
};

describe('finance periods', () => {
  test('RFC 3339 with Z or an offset, normalised to UTC milliseconds', () => {
    assert.deepEqual(parsePeriod('2026-01-01T00:00:00Z', '2026-02-01T01:00:00+01:00'), { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' });
    assert.equal(parseInstant('2026-03-01t12:30:15.5z', 'x').toISOString(), '2026-03-01T12:30:15.500Z');
    assert.equal(parseInstant('2025-12-31T23:00:00-01:30', 'x').toISOString(), '2026-01-01T00:30:00.000Z');
    assert.equal(parseInstant('0099-01-01T00:00:00Z', 'x').toISOString(), '0099-01-01T00:00:00.000Z', 'years below 100 are not read as 19xx');
  });

  test('digits beyond the millisecond round up, so whole-millisecond CDR times are selected as by the exact bound', () => {
    assert.equal(parseInstant('2026-01-01T00:00:00.0001Z', 'x').toISOString(), '2026-01-01T00:00:00.001Z');
    assert.equal(parseInstant('2026-01-01T00:00:00.9990000Z', 'x').toISOString(), '2026-01-01T00:00:00.999Z');
    assert.equal(parseInstant('2026-01-01T00:00:59.9995Z', 'x').toISOString(), '2026-01-01T00:01:00.000Z');
    const period = parsePeriod('2026-01-01T00:00:00.0005Z', '2026-01-02T00:00:00.0005Z');
    assert.equal(inPeriod(period, '2026-01-01T00:00:00.000Z'), false, 'before the exact start');
    assert.equal(inPeriod(period, '2026-01-02T00:00:00.000Z'), true, 'before the exact end');
  });

  test('half-open: the start is in, the end is out', () => {
    const period = parsePeriod('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
    assert.equal(inPeriod(period, '2026-01-01T00:00:00.000Z'), true);
    assert.equal(inPeriod(period, '2026-01-31T23:59:59.999Z'), true);
    assert.equal(inPeriod(period, '2026-02-01T00:00:00.000Z'), false);
    assert.equal(inPeriod(period, '2025-12-31T23:59:59.999Z'), false);
  });

  test('missing, malformed, impossible, reversed, empty or too long periods are INVALID_ARGUMENT naming the field', () => {
    assert.throws(() => parsePeriod('', '2026-02-01T00:00:00Z'), refused(/^period_start: required/));
    assert.throws(() => parsePeriod('2026-01-01T00:00:00Z', ''), refused(/^period_end: required/));
    assert.throws(() => parsePeriod('2026-01-01', '2026-02-01T00:00:00Z'), refused(/^period_start: "2026-01-01" is not an RFC 3339 date-time/));
    assert.throws(() => parsePeriod('2026-01-01T00:00:00', '2026-02-01T00:00:00Z'), refused(/^period_start: .*not an RFC 3339/), 'no zone');
    assert.throws(() => parsePeriod('2026-01-01T00:00:00Z', '2026-02-30T00:00:00Z'), refused(/^period_end: .*not an RFC 3339/), 'February 30th');
    assert.throws(() => parsePeriod('2026-01-01T24:00:00Z', '2026-02-01T00:00:00Z'), refused(/^period_start: /));
    assert.throws(() => parsePeriod('2026-01-01T00:00:00+24:00', '2026-02-01T00:00:00Z'), refused(/^period_start: /));
    assert.throws(() => parsePeriod('2026-02-01T00:00:00Z', '2026-02-01T01:00:00+01:00'), refused(/^period_end: must be after period_start/), 'the same instant');
    assert.throws(() => parsePeriod('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z'), refused(/^period_end: must be after period_start/));
    assert.deepEqual(parsePeriod('2028-01-01T00:00:00Z', '2029-01-01T00:00:00Z').end, '2029-01-01T00:00:00.000Z', 'a leap year is 366 days: allowed');
    assert.throws(() => parsePeriod('2028-01-01T00:00:00Z', '2029-01-01T00:00:00.001Z'), refused(/^period_end: a period spans at most 366 days/));
  });
});
