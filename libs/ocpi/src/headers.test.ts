import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OcpiError } from './ocpi-error.js';
import { encodeAuthorizationHeader, isValidCredentialsToken, parseAuthorizationHeader, parseRoutingHeaders, responseRoutingHeaders } from './headers.js';

describe('Authorization header', () => {
  test('reads Base64 (2.2.1) and raw (2.1.1, lax partners) tokens', () => {
    assert.deepEqual(parseAuthorizationHeader(`Token ${Buffer.from('abc-123').toString('base64')}`), ['abc-123', 'YWJjLTEyMw==']);
    assert.deepEqual(parseAuthorizationHeader('Token plain-token-with-dash'), ['plain-token-with-dash']);
    assert.deepEqual(parseAuthorizationHeader('token   abc'), ['abc'], 'scheme is case-insensitive');
  });

  test("tolerates the trailing newline of the spec's own Base64 examples", () => {
    assert.deepEqual(parseAuthorizationHeader('Token ZXhhbXBsZS10b2tlbgo=')[0], 'example-token');
  });

  test('missing or malformed headers give no token', () => {
    assert.deepEqual(parseAuthorizationHeader(undefined), []);
    assert.deepEqual(parseAuthorizationHeader('Bearer abc'), []);
    assert.deepEqual(parseAuthorizationHeader('Token'), []);
    assert.deepEqual(parseAuthorizationHeader('Token a b'), []);
    assert.deepEqual(parseAuthorizationHeader(`Token ${'x'.repeat(65)}`), [], 'longer than 64');
  });

  test('encodes per connection setting', () => {
    assert.equal(encodeAuthorizationHeader('abc-123', 'base64'), 'Token YWJjLTEyMw==');
    assert.equal(encodeAuthorizationHeader('abc-123', 'plain'), 'Token abc-123');
    const token = 'round/trip+token=';
    assert.equal(parseAuthorizationHeader(encodeAuthorizationHeader(token, 'base64'))[0], token);
  });

  test('credentials tokens are 1-64 printable ASCII characters without whitespace', () => {
    assert.ok(isValidCredentialsToken('a'.repeat(64)), 'isValidCredentialsToken("a".repeat(64))');
    assert.ok(!isValidCredentialsToken(''), '!isValidCredentialsToken("")');
    assert.ok(!isValidCredentialsToken('has space'), '!isValidCredentialsToken("has space")');
    assert.ok(!isValidCredentialsToken('tökén'), '!isValidCredentialsToken("tökén")');
  });
});

describe('routing headers', () => {
  test('are read case-insensitively as CiStrings and swapped for the response', () => {
    const routing = parseRoutingHeaders({ 'ocpi-to-country-code': 'nl', 'ocpi-to-party-id': 'vlt', 'ocpi-from-country-code': 'DE', 'ocpi-from-party-id': 'abc' });
    assert.deepEqual(routing, { toCountryCode: 'NL', toPartyId: 'VLT', fromCountryCode: 'DE', fromPartyId: 'ABC' });
    assert.deepEqual(responseRoutingHeaders(routing), {
      'ocpi-to-country-code': 'DE',
      'ocpi-to-party-id': 'ABC',
      'ocpi-from-country-code': 'NL',
      'ocpi-from-party-id': 'VLT',
    });
    assert.deepEqual(parseRoutingHeaders({}), {}, 'optional (2.1.1 and lax partners omit them)');
  });

  test('a malformed routing header is 2001 naming the header', () => {
    assert.throws(
      () => parseRoutingHeaders({ 'ocpi-from-party-id': 'TOOLONG' }),
      (error: unknown) => error instanceof OcpiError && error.ocpiStatus === 2001 && /ocpi-from-party-id/.test(error.message),
    );
  });
});
