import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { mintCredentialsToken, TokenCipher } from './token-cipher.js';

const key = () => randomBytes(32).toString('base64');

describe('TokenCipher', () => {
  test('round-trips a token and never stores it in clear', () => {
    const cipher = new TokenCipher(key());
    const sealed = cipher.encrypt('my-secret-token');
    assert.ok(!sealed.includes('my-secret-token'), '!sealed.includes("my-secret-token")');
    assert.equal(cipher.decrypt(sealed), 'my-secret-token');
    assert.notEqual(cipher.encrypt('my-secret-token'), sealed, 'a fresh IV every time');
  });

  test('refuses a tampered ciphertext or another key', () => {
    const cipher = new TokenCipher(key());
    const sealed = cipher.encrypt('token');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() => cipher.decrypt([parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.')));
    assert.throws(() => new TokenCipher(key()).decrypt(sealed));
  });

  test('lookup hashes are stable per key and differ between keys and tokens', () => {
    const secret = key();
    const a = new TokenCipher(secret);
    const b = new TokenCipher(secret);
    assert.equal(a.lookupHash('t1'), b.lookupHash('t1'));
    assert.notEqual(a.lookupHash('t1'), a.lookupHash('t2'));
    assert.notEqual(a.lookupHash('t1'), new TokenCipher(key()).lookupHash('t1'));
  });

  test('rejects a key that is not 32 bytes', () => {
    assert.throws(() => new TokenCipher(randomBytes(16).toString('base64')), /32 bytes/);
  });

  test('minted tokens are OCPI credentials tokens: printable ASCII, no spaces, at most 64 characters, unique', () => {
    const tokens = new Set(Array.from({ length: 100 }, mintCredentialsToken));
    assert.equal(tokens.size, 100);
    for (const token of tokens) assert.match(token, /^[\x21-\x7e]{1,64}$/);
  });
});
