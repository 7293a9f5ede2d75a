import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadBillingConfig, ownEmspPartiesOf, tolerancesOf } from './config.js';
import { toPlain } from './domain/decimal.js';

describe('billing config', () => {
  test('reads the reconciliation tolerance and its per-currency exceptions as decimals', () => {
    const defaults = tolerancesOf(loadBillingConfig({}));
    assert.equal(toPlain(defaults.default), '0.01');
    assert.equal(defaults.byCurrency.size, 0);
    const custom = tolerancesOf(loadBillingConfig({ RECONCILIATION_TOLERANCE: '0.05', RECONCILIATION_TOLERANCE_BY_CURRENCY: 'jpy:1, HUF:2.5' }));
    assert.deepEqual([toPlain(custom.default), [...custom.byCurrency].map(([currency, value]) => `${currency}=${toPlain(value)}`)], ['0.05', ['JPY=1', 'HUF=2.5']]);
    assert.throws(() => loadBillingConfig({ RECONCILIATION_TOLERANCE: '-1' }), /RECONCILIATION_TOLERANCE: must be a non-negative decimal/);
    assert.throws(() => loadBillingConfig({ RECONCILIATION_TOLERANCE_BY_CURRENCY: 'JPY' }), /RECONCILIATION_TOLERANCE_BY_CURRENCY/);
  });

  test('finance: our eMSP parties from OWN_PARTIES, CSV chunks at most 64 KiB', () => {
    assert.deepEqual(ownEmspPartiesOf(loadBillingConfig({})), [{ country_code: 'NL', party_id: 'VLM' }]);
    assert.deepEqual(ownEmspPartiesOf(loadBillingConfig({ OWN_PARTIES: 'CPO:NL*VLT,EMSP:nl*abc,EMSP:BE*XYZ' })), [
      { country_code: 'NL', party_id: 'ABC' },
      { country_code: 'BE', party_id: 'XYZ' },
    ]);
    assert.equal(loadBillingConfig({}).FINANCE_CSV_CHUNK_BYTES, 65_536);
    assert.throws(() => loadBillingConfig({ FINANCE_CSV_CHUNK_BYTES: '65537' }), /FINANCE_CSV_CHUNK_BYTES/);
  });
});
