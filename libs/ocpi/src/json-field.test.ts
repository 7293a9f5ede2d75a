import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { internal, isAppError } from '@voltmesh/errors';
import { parseJsonField, parseJsonText } from './json-field.js';

test('a JSON field is parsed, and a failure names the field and the path inside it, with the caller-chosen error', () => {
  const schema = z.object({ evse_uids: z.array(z.string().max(3)) });
  assert.deepEqual(parseJsonField(schema, '{"evse_uids":["E1"]}', 'refs_json'), { evse_uids: ['E1'] });
  assert.throws(() => parseJsonText('{', 'refs_json'), (error: unknown) => isAppError(error) && error.code === 'INVALID_ARGUMENT' && error.message === 'refs_json: not JSON');
  assert.throws(() => parseJsonField(schema, '{"evse_uids":["TOO-LONG"]}', 'refs_json'), (error: unknown) => isAppError(error) && /^refs_json: evse_uids\[0\]: /.test(error.message));
  assert.throws(() => parseJsonField(schema, '[]', 'reply', internal), (error: unknown) => isAppError(error) && error.code === 'INTERNAL');
});
