import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moduleOfRoute } from './partner-rate-limit.js';

test('a route pattern names its module, the same bucket in 2.2.1 and 2.1.1', () => {
  assert.equal(moduleOfRoute('/ocpi/versions'), 'versions');
  assert.equal(moduleOfRoute('/ocpi/2.2.1'), 'versions');
  assert.equal(moduleOfRoute('/ocpi/2.1.1'), 'versions');
  assert.equal(moduleOfRoute('/ocpi/2.2.1/cpo/locations/:location_id'), 'cpo/locations');
  assert.equal(moduleOfRoute('/ocpi/2.1.1/cpo/locations/:location_id'), 'cpo/locations');
  assert.equal(moduleOfRoute('/ocpi/2.1.1/emsp/tokens/:token_uid/authorize'), 'emsp/tokens');
  assert.equal(moduleOfRoute('/ocpi/2.1.1/credentials'), 'credentials');
  assert.equal(moduleOfRoute(undefined), 'unknown');
});
