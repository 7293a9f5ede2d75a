import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinUrl, withTrailingSlash } from './url.js';

test('URL templates join with exactly one slash, ids encoded', () => {
  // The spec's templates concatenate ({tokens_endpoint_url}{token_uid}/authorize): partners advertise either form.
  assert.equal(joinUrl('https://p.example/ocpi/emsp/2.2.1/tokens/', 'NL ABC', 'authorize'), 'https://p.example/ocpi/emsp/2.2.1/tokens/NL%20ABC/authorize');
  assert.equal(joinUrl('https://p.example/ocpi/emsp/2.2.1/tokens', '/012345/'), 'https://p.example/ocpi/emsp/2.2.1/tokens/012345');
  assert.equal(withTrailingSlash('https://p.example/x'), 'https://p.example/x/');
  assert.equal(withTrailingSlash('https://p.example/x/'), 'https://p.example/x/');
});
