import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusCodeFor211 } from './status-codes.js';

test('codes 2.1.1 lacks become the nearest it has; the others stay', () => {
  assert.equal(statusCodeFor211(2004), 2000);
  assert.equal(statusCodeFor211(4001), 2000);
  assert.equal(statusCodeFor211(4002), 3000);
  assert.equal(statusCodeFor211(4003), 3000);
  for (const code of [1000, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003]) assert.equal(statusCodeFor211(code), code);
});
