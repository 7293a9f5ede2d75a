import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError } from '@voltmesh/config';
import { loadGatewayConfig } from './config.js';

const base = { ADMIN_TOKEN: 'a'.repeat(40), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };

describe('gateway configuration', () => {
  test('defaults: our CPO NL*VLT and eMSP NL*VLM, versions URL on 127.0.0.1:8080', () => {
    const config = loadGatewayConfig(base);
    assert.deepEqual(config.OWN_PARTIES, [
      { role: 'CPO', countryCode: 'NL', partyId: 'VLT' },
      { role: 'EMSP', countryCode: 'NL', partyId: 'VLM' },
    ]);
    assert.equal(config.PUBLIC_URL, 'http://127.0.0.1:8080');
    assert.equal(config.HTTP_PORT, 8080);
    assert.equal(config.ADMIN_PORT, 8081);
    assert.equal(config.SESSIONS_GRPC_ADDRESS, '127.0.0.1:50053');
    assert.equal(config.BILLING_GRPC_ADDRESS, '127.0.0.1:50055');
  });

  test('the billing service address comes from BILLING_GRPC_ADDRESS (the mesh sets it)', () => {
    const config = loadGatewayConfig({ ...base, BILLING_GRPC_ADDRESS: 'billing.voltmesh.svc:50055' });
    assert.equal(config.BILLING_GRPC_ADDRESS, 'billing.voltmesh.svc:50055');
  });

  test('REQUEST_TIMEOUT_MS: 30 s by default, positive milliseconds when set', () => {
    assert.equal(loadGatewayConfig(base).REQUEST_TIMEOUT_MS, 30_000);
    assert.equal(loadGatewayConfig({ ...base, REQUEST_TIMEOUT_MS: '5000' }).REQUEST_TIMEOUT_MS, 5_000);
    assert.throws(() => loadGatewayConfig({ ...base, REQUEST_TIMEOUT_MS: '0' }), /REQUEST_TIMEOUT_MS/);
    assert.throws(() => loadGatewayConfig({ ...base, REQUEST_TIMEOUT_MS: 'soon' }), /REQUEST_TIMEOUT_MS/);
  });

  test('own parties come from configuration, case-insensitively', () => {
    const config = loadGatewayConfig({ ...base, OWN_PARTIES: 'cpo:de*abc', PUBLIC_URL: 'https://ocpi.example.com/' });
    assert.deepEqual(config.OWN_PARTIES, [{ role: 'CPO', countryCode: 'DE', partyId: 'ABC' }]);
    assert.equal(config.PUBLIC_URL, 'https://ocpi.example.com');
  });

  test('there is no default admin token or key, and bad values name the variable', () => {
    assert.throws(() => loadGatewayConfig({}), (error: unknown) => error instanceof ConfigError && /ADMIN_TOKEN/.test(error.message) && /TOKEN_ENCRYPTION_KEY/.test(error.message));
    assert.throws(() => loadGatewayConfig({ ...base, ADMIN_TOKEN: 'short' }), /ADMIN_TOKEN/);
    assert.throws(() => loadGatewayConfig({ ...base, OWN_PARTIES: 'CPO:NLX*VLT' }), /OWN_PARTIES/);
    assert.throws(() => loadGatewayConfig({ ...base, HTTP_PORT: 'eighty' }), /HTTP_PORT/);
  });
});
