import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PartnerCallError, type PartnerResponse } from '../../adapters/partner-client.js';
import { outcomeOfError, outcomeOfResponse } from './delivery-outcome.js';

const now = Date.parse('2026-03-01T10:00:00Z');
const answer = (httpStatus: number, statusCode: number, extra: Partial<PartnerResponse<unknown>> = {}): PartnerResponse<unknown> => ({
  httpStatus,
  statusCode,
  data: undefined,
  requestId: 'r',
  ...extra,
});

describe('outcome of a push', () => {
  test('1xxx is delivered', () => {
    assert.equal(outcomeOfResponse(answer(200, 1000), now).kind, 'delivered');
    assert.equal(outcomeOfResponse(answer(201, 1000), now).kind, 'delivered');
  });

  test('2xxx is refused for good (dead letter) with the partner message, on HTTP 200 or 4xx', () => {
    const outcome = outcomeOfResponse(answer(400, 2001, { statusMessage: 'evse_uid missing' }), now);
    assert.equal(outcome.kind, 'rejected');
    assert.match(outcome.kind === 'rejected' ? outcome.message : '', /2001 \(evse_uid missing\)/);
    assert.equal(outcomeOfResponse(answer(200, 2003), now).kind, 'rejected');
  });

  test('3xxx, 4xxx and HTTP 5xx are retried; 429 carries its Retry-After', () => {
    assert.equal(outcomeOfResponse(answer(200, 3000), now).kind, 'retry');
    assert.equal(outcomeOfResponse(answer(200, 4002), now).kind, 'retry');
    assert.equal(outcomeOfResponse(answer(500, 1000), now).kind, 'retry');
    assert.deepEqual(outcomeOfResponse(answer(429, 2000, { retryAfter: '3' }), now), {
      kind: 'retry',
      httpStatus: 429,
      statusCode: 2000,
      message: 'partner answered HTTP 429, status_code 2000',
      retryAfterMs: 3_000,
    });
  });

  test('network failures are retried; a 429 or 503 without envelope keeps its Retry-After', () => {
    assert.equal(outcomeOfError(new PartnerCallError('timeout', 't'), now).kind, 'retry');
    assert.equal(outcomeOfError(new PartnerCallError('unreachable', 'u'), now).kind, 'retry');
    assert.equal(outcomeOfError(new Error('odd'), now).kind, 'retry');
    const throttled = outcomeOfError(new PartnerCallError('not-json', 'x', { httpStatus: 429, retryAfter: 'Sun, 01 Mar 2026 10:01:00 GMT' }), now);
    assert.deepEqual(throttled, { kind: 'retry', httpStatus: 429, message: 'x', retryAfterMs: 60_000 });
    assert.equal(outcomeOfError(new PartnerCallError('http-status', 'x', { httpStatus: 503 }), now).kind, 'retry');
    assert.equal(outcomeOfError(new PartnerCallError('http-status', 'x', { httpStatus: 401 }), now).kind, 'retry');
  });

  test('an HTTP refusal of the request itself is a dead letter; a 2xx without envelope is absorbed as delivered', () => {
    assert.equal(outcomeOfError(new PartnerCallError('not-json', 'x', { httpStatus: 400 }), now).kind, 'rejected');
    assert.equal(outcomeOfError(new PartnerCallError('http-status', 'x', { httpStatus: 413 }), now).kind, 'rejected');
    const absorbed = outcomeOfError(new PartnerCallError('bad-envelope', 'empty body', { httpStatus: 200 }), now);
    assert.deepEqual(absorbed, { kind: 'delivered', httpStatus: 200, note: 'empty body' });
  });

  test('our own abort is no verdict on the partner', () => {
    assert.deepEqual(outcomeOfError(new PartnerCallError('aborted', 'a'), now), { kind: 'interrupted' });
  });
});
