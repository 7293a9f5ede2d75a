import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { aCdr } from '@voltmesh/testing';
import { endDateTimeOfJson } from './cdr-record.js';
import { decimal } from './decimal.js';
import { cdrDetailsOf, countedEnergy, figureText, financeCdrOf, type CdrFacts } from './finance-cdr.js';

const facts = (overrides: Partial<CdrFacts> = {}): CdrFacts => ({
  key: 'DE*ABC*CDR1',
  role: 'EMSP',
  cpo: { country_code: 'DE', party_id: 'ABC' },
  id: 'CDR1',
  emsp: { country_code: 'NL', party_id: 'VLM' },
  contract_id: 'NL-VLM-C0001',
  session_id: 'SESSION1',
  currency: 'EUR',
  total_cost_excl_vat: '2.5',
  total_cost_incl_vat: '3.025',
  credit: false,
  credit_reference_id: '',
  connection_id: 'conn-1',
  created_at: '2026-01-01T11:05:00.000Z',
  end_date_time: '2026-01-01T11:00:00.000Z',
  ...overrides,
});

describe('CDRs as finance counts them', () => {
  test('figures: exact, at least 4 decimals, more only when needed, never "-0"', () => {
    assert.deepEqual(['2.5', '-3.025', '0', '-0', '1.23456', '1.234500', '12', '0.0001'].map((text) => figureText(decimal(text, 't'))), ['2.5000', '-3.0250', '0.0000', '0.0000', '1.23456', '1.2345', '12.0000', '0.0001']);
  });

  test('total_cost from the stored decimal strings; a CDR without incl. VAT counts its excl. VAT', () => {
    const cdr = financeCdrOf(facts());
    assert.deepEqual([figureText(cdr.excl_vat), figureText(cdr.incl_vat), cdr.states_incl_vat], ['2.5000', '3.0250', true]);
    const without = financeCdrOf(facts({ total_cost_incl_vat: '' }));
    assert.deepEqual([figureText(without.incl_vat), without.states_incl_vat], ['2.5000', false]);
  });

  test('a credit CDR counts its energy negative, whatever sign the CDR gives it', () => {
    assert.equal(figureText(countedEnergy({ credit: true }, { total_energy: decimal('10', 'e') })), '-10.0000');
    assert.equal(figureText(countedEnergy({ credit: true }, { total_energy: decimal('-10', 'e') })), '-10.0000');
    assert.equal(figureText(countedEnergy({ credit: false }, { total_energy: decimal('10.5', 'e') })), '10.5000');
  });

  test('details come from the OCPI JSON (times normalised, energy exact); unreadable stored JSON is INTERNAL', () => {
    const json = JSON.stringify({ ...aCdr({ total_energy: 12.345 }), start_date_time: '2026-01-01T10:00:00Z', end_date_time: '2026-01-01T11:00:00.5Z' });
    const details = cdrDetailsOf('DE*ABC*CDR1', json);
    assert.deepEqual([details.start_date_time, details.location_id, figureText(details.total_energy)], ['2026-01-01T10:00:00.000Z', 'LOC1', '12.3450']);
    assert.equal(endDateTimeOfJson(json), '2026-01-01T11:00:00.500Z');
    assert.equal(endDateTimeOfJson('not json'), '');
    assert.throws(() => cdrDetailsOf('K', '{'), (error: unknown) => error instanceof AppError && error.code === 'INTERNAL' && /stored CDR K: ocpi_json is not JSON/.test(error.message));
    assert.throws(() => cdrDetailsOf('K', '{"start_date_time":"x"}'), (error: unknown) => error instanceof AppError && error.code === 'INTERNAL');
  });
});
