import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OcpiError } from '@voltmesh/ocpi';
import { findWritten, type WrittenLookup } from './find-written.js';

const lookup = (pending: boolean): WrittenLookup => ({ recheckAfterMs: 1, writesPending: async () => pending });
const reads = (...answers: (string | undefined)[]) => {
  let calls = 0;
  return { find: async () => answers[calls++], calls: () => calls };
};

describe('findWritten', () => {
  test('found at once: one read', async () => {
    const source = reads('A');
    assert.equal(await findWritten(lookup(true), source.find, () => new Error('unknown'), 'x'), 'A');
    assert.equal(source.calls(), 1);
  });

  test('found on the second look (a PUT just applied)', async () => {
    const source = reads(undefined, 'A');
    assert.equal(await findWritten(lookup(false), source.find, () => new Error('unknown'), 'x'), 'A');
    assert.equal(source.calls(), 2);
  });

  test('still missing while the owning service is behind: HTTP 503 with 3000, naming the object', async () => {
    await assert.rejects(findWritten(lookup(true), reads().find, () => new Error('unknown'), 'session S1'), (error: unknown) => {
      assert.ok(error instanceof OcpiError, 'an OCPI error');
      assert.equal(error.ocpiStatus, 3000);
      assert.equal(error.httpStatus, 503);
      assert.match(error.message, /session S1 is not known yet/);
      return true;
    });
  });

  test('missing and nothing pending: the caller’s unknown error', async () => {
    await assert.rejects(findWritten(lookup(false), reads().find, () => new Error('unknown session S1'), 'session S1'), /unknown session S1/);
  });
});
