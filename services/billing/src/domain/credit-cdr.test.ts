import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdrSchema } from '@voltmesh/ocpi';
import { completeCpoCdr, cpoCdrRecord, draftCpoCdr, validateCdr } from './cpo-cdr.js';
import { creditCdr, creditCdrRecord, NEGATED_FIELDS } from './credit-cdr.js';
import { aCompletedSession, aPricingRecord } from './test-builders.js';

describe('credit CDR', () => {
  const pricing = aPricingRecord({
    total_cost: { excl_vat: '3.0000', incl_vat: '3.6300' },
    total_fixed_cost: { excl_vat: '0.5000', incl_vat: '0.6050' },
    total_energy_cost: { excl_vat: '2.5000', incl_vat: '3.0250' },
  });
  const original = validateCdr(completeCpoCdr(draftCpoCdr(aCompletedSession(), '2026-01-01T11:00:05.000Z'), pricing));
  const record = cpoCdrRecord(original, pricing);

  test('negates total_cost and every cost part, keeps quantities and periods, points at the original', () => {
    const credit = validateCdr(creditCdr({ ...original, invoice_reference_id: 'INV-1' }, 'wrong tariff applied', '2026-02-01T09:00:00.000Z'));
    assert.deepEqual([credit.id, credit.credit, credit.credit_reference_id, credit.remark, credit.last_updated], ['SESSION1-C', true, 'SESSION1', 'wrong tariff applied', '2026-02-01T09:00:00.000Z']);
    assert.deepEqual(credit.total_cost, { excl_vat: -3, incl_vat: -3.63 });
    assert.deepEqual(credit.total_fixed_cost, { excl_vat: -0.5, incl_vat: -0.605 });
    assert.deepEqual(credit.total_energy_cost, { excl_vat: -2.5, incl_vat: -3.025 });
    assert.deepEqual(credit.total_time_cost, { excl_vat: 0, incl_vat: 0 }, 'zero stays zero, not -0');
    assert.deepEqual([credit.total_energy, credit.total_time, credit.total_parking_time], [original.total_energy, original.total_time, original.total_parking_time]);
    assert.deepEqual(credit.charging_periods, original.charging_periods);
    assert.deepEqual(credit.tariffs, original.tariffs);
    assert.equal(credit.invoice_reference_id, undefined, 'the credit is invoiced on its own');
    assert.deepEqual([...NEGATED_FIELDS], ['total_cost', 'total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost']);
    assert.ok(cdrSchema.safeParse(credit).success, 'a valid OCPI credit CDR (39-character id allowed)');
  });

  test('its record negates the decimal totals at their precision and keeps the routing fields', () => {
    const credit = validateCdr(creditCdr(original, 'duplicate', '2026-02-01T09:00:00.000Z'));
    const stored = creditCdrRecord(record, credit);
    assert.deepEqual([stored.key, stored.id, stored.credit, stored.credit_reference_id], ['DE*ABC*SESSION1-C', 'SESSION1-C', true, 'SESSION1']);
    assert.deepEqual([stored.total_cost_excl_vat, stored.total_cost_incl_vat], ['-3.0000', '-3.6300']);
    assert.deepEqual([stored.emsp, stored.contract_id, stored.session_id, stored.created_at], [record.emsp, record.contract_id, record.session_id, '2026-02-01T09:00:00.000Z']);
    assert.deepEqual(JSON.parse(stored.ocpi_json), credit);
  });
});
