import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aCdr, aChargingPeriod, aTariff } from '@voltmesh/testing';
import { decimal } from './decimal.js';
import { decideReconciliation, reconciliationOutcome, tariffToReprice, type Tolerances } from './reconciliation.js';
import { aPricingRecord } from './test-builders.js';

const tolerances: Tolerances = { default: decimal('0.01', 't'), byCurrency: new Map([['JPY', decimal('1', 't')]]) };
const ours = (incl: string, excl = '2.5000', currency = 'EUR') => ({ currency, total_cost: { excl_vat: excl, incl_vat: incl } });

describe('reconciliation', () => {
  test('re-prices with the tariff the periods name, else the first of tariffs; several or none cannot be re-priced', () => {
    assert.deepEqual(tariffToReprice(aCdr()), { kind: 'tariff', id: 'TARIFF1' });
    assert.deepEqual(tariffToReprice(aCdr({ charging_periods: [aChargingPeriod({ tariff_id: undefined })], tariffs: [aTariff({ id: 't9' })] })), { kind: 'tariff', id: 'T9' });
    const several = tariffToReprice(aCdr({ charging_periods: [aChargingPeriod(), aChargingPeriod({ start_date_time: '2026-01-01T10:30:00.000Z', tariff_id: 'NIGHT' })] }));
    assert.equal(several.kind, 'cannot');
    assert.match(several.kind === 'cannot' ? several.reason : '', /several tariffs \(TARIFF1, NIGHT\)/);
    assert.equal(tariffToReprice(aCdr({ charging_periods: [aChargingPeriod({ tariff_id: undefined })], tariffs: [] })).kind, 'cannot');
  });

  test('within the tolerance (inclusive) is a match; beyond it a dispute naming both totals', () => {
    const cdr = aCdr({ total_cost: { excl_vat: 2.5, incl_vat: 3.035 } });
    const atTolerance = decideReconciliation(cdr, ours('3.0250'), tolerances);
    assert.equal(atTolerance.kind, 'match', 'a difference of exactly 0.01 is within');
    const beyond = decideReconciliation(aCdr({ total_cost: { excl_vat: 2.5, incl_vat: 3.0351 } }), ours('3.0250'), tolerances);
    assert.equal(beyond.kind, 'dispute');
    assert.deepEqual(beyond.comparison && [beyond.comparison.basis, beyond.comparison.charged, beyond.comparison.expected, beyond.comparison.difference], ['INCL_VAT', '3.0351', '3.025', '0.0101']);
    assert.match(beyond.kind === 'dispute' ? beyond.reason : '', /charged 3\.0351 EUR, expected 3\.025 \(difference 0\.0101, tolerance 0\.01\)/);
    const under = decideReconciliation(aCdr({ total_cost: { excl_vat: 2, incl_vat: 2.42 } }), ours('3.0250'), tolerances);
    assert.equal(under.comparison?.difference, '-0.605', 'charged less than ours is a dispute too (charged − ours)');
    assert.equal(under.kind, 'dispute');
  });

  test('compares excl. VAT when the CDR has no incl. VAT total; tolerances are per currency', () => {
    const excl = decideReconciliation(aCdr({ total_cost: { excl_vat: 2.51 } }), ours('9.99', '2.5000'), tolerances);
    assert.deepEqual([excl.kind, excl.comparison?.basis, excl.comparison?.difference], ['match', 'EXCL_VAT', '0.01']);
    const yen = (charged: number) => decideReconciliation(aCdr({ currency: 'JPY', tariffs: [aTariff({ currency: 'JPY' })], total_cost: { excl_vat: charged, incl_vat: charged } }), ours('500', '500', 'JPY'), tolerances);
    assert.deepEqual([yen(501).kind, yen(501).comparison?.tolerance], ['match', '1']);
    assert.equal(yen(502).kind, 'dispute');
    const otherCurrency = decideReconciliation(aCdr(), ours('3.0250', '2.5000', 'CHF'), tolerances);
    assert.deepEqual([otherCurrency.kind, otherCurrency.kind === 'dispute' ? otherCurrency.reason : ''], ['dispute', 'currency: the CDR is in EUR, our price in CHF']);
  });

  const received = { key: 'DE*ABC*CDR1', cpo: { country_code: 'DE', party_id: 'ABC' }, id: 'CDR1', connection_id: 'conn-1' };
  const NOW = '2026-01-02T00:00:00.000Z';

  test('an outcome: MATCHED keeps our pricing; a difference opens a dispute with both sides and our breakdown', () => {
    const pricing = aPricingRecord({ tariff: { source: 'STORED', country_code: 'DE', party_id: 'ABC', id: 'TARIFF1' } });
    const matched = reconciliationOutcome(received, aCdr(), { kind: 'priced', pricing }, tolerances, NOW);
    assert.equal(matched.reconciliation.status, 'MATCHED');
    assert.deepEqual(JSON.parse(matched.reconciliation.pricing_json), pricing);
    assert.equal(matched.dispute, undefined);

    const disputed = reconciliationOutcome(received, aCdr({ total_cost: { excl_vat: 3, incl_vat: 3.63 } }), { kind: 'priced', pricing }, tolerances, NOW);
    assert.equal(disputed.reconciliation.status, 'DISPUTED');
    const dispute = disputed.dispute;
    assert.ok(dispute, 'a dispute');
    assert.deepEqual([dispute.key, dispute.cdr_id, dispute.connection_id, dispute.currency, dispute.status, dispute.opened_at], ['DE*ABC*CDR1', 'CDR1', 'conn-1', 'EUR', 'OPEN', NOW]);
    assert.deepEqual([dispute.charged_incl_vat, dispute.expected_incl_vat, dispute.difference_incl_vat], ['3.63', '3.025', '0.605']);
    const details = JSON.parse(dispute.details_json) as { charged: { total_cost: unknown }; expected: { total_cost: unknown }; breakdown: unknown; comparison: { basis: string } };
    assert.deepEqual(details.charged.total_cost, { excl_vat: '3', incl_vat: '3.63' });
    assert.deepEqual(details.expected.total_cost, pricing.total_cost);
    assert.deepEqual(details.breakdown, pricing.breakdown);
    assert.equal(details.comparison.basis, 'INCL_VAT');
  });

  test('a tariff we do not hold, or one the engine refuses, is a dispute saying so; a credit CDR is skipped', () => {
    const notHeld = reconciliationOutcome(received, aCdr(), { kind: 'not-held', tariff: 'DE*ABC*TARIFF1' }, tolerances, NOW);
    assert.deepEqual([notHeld.reconciliation.status, notHeld.dispute?.reason, notHeld.dispute?.expected_incl_vat, notHeld.dispute?.charged_incl_vat], [
      'DISPUTED',
      'tariff DE*ABC*TARIFF1 not held: cannot re-price',
      '',
      '3.025',
    ]);
    const refused = reconciliationOutcome(received, aCdr(), { kind: 'refused', tariff: 'DE*ABC*TARIFF1', message: 'time_zone is required' }, tolerances, NOW);
    assert.match(refused.dispute?.reason ?? '', /cannot re-price with tariff DE\*ABC\*TARIFF1: time_zone is required/);
    const skipped = reconciliationOutcome(received, aCdr({ credit: true, credit_reference_id: 'X' }), { kind: 'skipped', reason: 'credit CDR' }, tolerances, NOW);
    assert.deepEqual([skipped.reconciliation.status, skipped.dispute], ['SKIPPED', undefined]);
  });
});
