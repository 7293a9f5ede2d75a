import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { ocpiEnvelopeSchema, ocpiErrorBody, ocpiSuccess } from './envelope.js';
import { invalidBody, methodNotAllowed, OcpiError, zodErrorMessage } from './ocpi-error.js';
import { credentialsSchema } from './schemas/credentials.js';
import { OcpiStatus } from './status-codes.js';

const now = new Date('2026-01-02T03:04:05.678Z');

describe('OCPI envelope', () => {
  test('success carries data, 1000 and an OCPI timestamp; no data key when there is none', () => {
    assert.deepEqual(ocpiSuccess({ a: 1 }, undefined, now), { data: { a: 1 }, status_code: 1000, timestamp: '2026-01-02T03:04:05.678Z' });
    assert.deepEqual(Object.keys(ocpiSuccess(undefined, undefined, now)).sort(), ['status_code', 'timestamp']);
    assert.deepEqual(ocpiSuccess([], undefined, now).data, []);
  });

  test('errors carry the status and a message, never data', () => {
    assert.deepEqual(ocpiErrorBody(2001, 'url: must be an http(s) URL', now), {
      status_code: 2001,
      status_message: 'url: must be an http(s) URL',
      timestamp: '2026-01-02T03:04:05.678Z',
    });
  });

  test('partner envelopes are parsed tolerantly: null data and message, unknown fields, odd timestamps', () => {
    const parsed = ocpiEnvelopeSchema(z.unknown()).parse({ data: null, status_code: 1000, status_message: null, timestamp: 'yesterday', extra: true });
    assert.equal(parsed.status_code, 1000);
    assert.equal(parsed.status_message, undefined);
    assert.equal(ocpiEnvelopeSchema(z.unknown()).safeParse({ data: [] }).success, false, 'status_code is required');
    assert.equal(ocpiEnvelopeSchema(z.unknown()).safeParse({ status_code: '1000' }).success, false);
  });
});

describe('OCPI errors', () => {
  test('zod failures become 2001 with a message naming every field path', () => {
    const result = credentialsSchema.safeParse({ url: 'ftp://x', roles: [{ role: 'CPO', party_id: 'TOOLONG', country_code: 'NL', business_details: { name: 'n' } }] });
    assert.equal(result.success, false);
    const error = invalidBody(result.error!);
    assert.equal(error.ocpiStatus, OcpiStatus.INVALID_PARAMETERS);
    assert.equal(error.httpStatus, 200);
    assert.match(error.message, /^token: /);
    assert.match(error.message, /url: must be an http\(s\) URL/);
    assert.match(error.message, /roles\[0\]\.party_id: must be 3 characters/);
  });

  test('zodErrorMessage caps the number of issues it lists', () => {
    const many = z.object({ a: z.string(), b: z.string(), c: z.string() }).safeParse({});
    assert.match(zodErrorMessage(many.error!, 2), /; and 1 more$/);
  });

  test('405 for credentials calls in the wrong state; 3xxx errors are server-side, retry-worthy for 3001', () => {
    const notAllowed = methodNotAllowed('already registered');
    assert.equal(notAllowed.httpStatus, 405);
    assert.equal(notAllowed.ocpiStatus, 2000);
    assert.equal(new OcpiError(3001, 'partner down').code, 'UNAVAILABLE');
    assert.equal(new OcpiError(3002, 'no version').code, 'FAILED_PRECONDITION');
  });
});
