import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickCommonVersion } from './versions.js';

test('picks the newest version both sides implement, or none', () => {
  assert.equal(pickCommonVersion(['2.1.1', '2.2.1']), '2.2.1');
  assert.equal(pickCommonVersion(['2.2.1 ', '2.3.0']), '2.2.1');
  assert.equal(pickCommonVersion(['2.0', '2.1.1']), '2.1.1');
  assert.equal(pickCommonVersion(['2.1', '2.2']), undefined);
  assert.equal(pickCommonVersion([]), undefined);
});
