import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decimal } from './decimal.js';
import { figureText, type FinanceCdr } from './finance-cdr.js';
import type { Period } from './finance-period.js';
import { buildInvoices, invoiceId, invoiceLineOf, isOnInvoice, type Invoice } from './invoice.js';
import { aFinanceCdr, someCdrDetails } from './test-builders.js';

const period: Period = { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' };
const CONTRACT = 'NL-VLM-C0001';
const OWN_EMSP = [{ country_code: 'NL', party_id: 'VLM' }];
const d = (text: string) => decimal(text, 'test');
const ours = { country_code: 'NL', party_id: 'VLM' };

/** Lines as the RPC shows them: [key, energy, excl, incl, credit, reference]. */
const shown = (invoice: Invoice | undefined) => invoice?.lines.map((line) => [line.cdr_key, figureText(line.energy_kwh), figureText(line.excl_vat), figureText(line.incl_vat), line.credit, line.credit_reference_id]);
const totals = (invoice: Invoice | undefined) => invoice && [figureText(invoice.total_excl_vat), figureText(invoice.total_incl_vat), figureText(invoice.total_vat), figureText(invoice.total_energy_kwh)];
const line = (cdr: FinanceCdr, energy = '10') => invoiceLineOf(cdr, someCdrDetails({ total_energy: d(energy) }));

describe('invoices', () => {
  test('our drivers only: every received CDR of the contract, and our CPO\'s only for tokens of our eMSP parties', () => {
    assert.equal(isOnInvoice(aFinanceCdr({ role: 'EMSP', contract_id: CONTRACT, emsp: ours }), CONTRACT, OWN_EMSP), true, 'at a partner CPO');
    assert.equal(isOnInvoice(aFinanceCdr({ role: 'CPO', contract_id: CONTRACT, emsp: ours }), CONTRACT, OWN_EMSP), true, 'at our own CPO');
    assert.equal(isOnInvoice(aFinanceCdr({ role: 'CPO', contract_id: CONTRACT, emsp: { country_code: 'DE', party_id: 'EMS' } }), CONTRACT, OWN_EMSP), false, 'a partner eMSP driver with the same contract id');
    assert.equal(isOnInvoice(aFinanceCdr({ role: 'EMSP', contract_id: 'NL-VLM-C0002', emsp: ours }), CONTRACT, OWN_EMSP), false, 'another contract');
    assert.equal(isOnInvoice(aFinanceCdr({ role: 'EMSP', contract_id: CONTRACT.toLowerCase(), emsp: ours }), CONTRACT, OWN_EMSP), true, 'contract ids are case-insensitive');
  });

  test('one invoice per currency, ordered by currency; lines by end_date_time then key; credit lines negative with the credited CDR', () => {
    const original = aFinanceCdr({ cpo: { country_code: 'NL', party_id: 'VLT' }, id: 'S1', emsp: ours, contract_id: CONTRACT, end_date_time: '2026-01-10T11:00:00.000Z' });
    const credit = aFinanceCdr({
      cpo: { country_code: 'NL', party_id: 'VLT' },
      id: 'S1-C',
      emsp: ours,
      contract_id: CONTRACT,
      end_date_time: '2026-01-10T11:00:00.000Z',
      excl_vat: d('-2.5000'),
      incl_vat: d('-3.0250'),
      credit: true,
      credit_reference_id: 'S1',
    });
    const early = aFinanceCdr({ role: 'EMSP', cpo: { country_code: 'DE', party_id: 'PCO' }, id: 'P1', emsp: ours, contract_id: CONTRACT, end_date_time: '2026-01-02T09:00:00.000Z', excl_vat: d('1.1'), incl_vat: d('1.331'), connection_id: 'c1' });
    const swiss = aFinanceCdr({ role: 'EMSP', cpo: { country_code: 'CH', party_id: 'SWC' }, id: 'X9', emsp: ours, contract_id: CONTRACT, currency: 'CHF', end_date_time: '2026-01-05T09:00:00.000Z', excl_vat: d('7.35'), incl_vat: d('7.938'), connection_id: 'c2' });
    const invoices = buildInvoices(CONTRACT, period, [line(credit), line(swiss, '21.5'), line(original), line(early, '4.4')]);

    assert.deepEqual(invoices.map((invoice) => invoice.currency), ['CHF', 'EUR']);
    const [chf, eur] = invoices;
    assert.deepEqual(shown(eur), [
      ['DE*PCO*P1', '4.4000', '1.1000', '1.3310', false, ''],
      ['NL*VLT*S1', '10.0000', '2.5000', '3.0250', false, ''],
      ['NL*VLT*S1-C', '-10.0000', '-2.5000', '-3.0250', true, 'S1'],
    ]);
    assert.deepEqual(totals(eur), ['1.1000', '1.3310', '0.2310', '4.4000'], 'the original and its credit cancel out, energy too');
    assert.deepEqual(totals(chf), ['7.3500', '7.9380', '0.5880', '21.5000']);
    assert.equal(eur?.lines[0]?.location_id, 'LOC1');
    assert.equal(eur?.lines[0]?.start_date_time, '2026-01-01T10:00:00.000Z');
    assert.notEqual(chf?.id, eur?.id);
  });

  test('totals are exact sums, never rounded per line nor summed in floating point; VAT = incl − excl exactly', () => {
    const lines = [
      aFinanceCdr({ id: 'A', emsp: ours, contract_id: CONTRACT, excl_vat: d('0.8333'), incl_vat: d('1.0083') }),
      aFinanceCdr({ id: 'B', emsp: ours, contract_id: CONTRACT, excl_vat: d('0.8333'), incl_vat: d('1.0083') }),
      aFinanceCdr({ id: 'C', emsp: ours, contract_id: CONTRACT, excl_vat: d('0.1'), incl_vat: d('0.1') }),
      aFinanceCdr({ id: 'D', emsp: ours, contract_id: CONTRACT, excl_vat: d('0.2'), incl_vat: d('0.2'), states_incl_vat: false }),
      aFinanceCdr({ id: 'E', emsp: ours, contract_id: CONTRACT, excl_vat: d('0.00001'), incl_vat: d('0.000012') }),
    ].map((cdr) => line(cdr, '0.1'));
    const [invoice] = buildInvoices(CONTRACT, period, lines);
    // Per-line VAT rounded to cents would be 0.18 + 0.18 = 0.36; floats would make 0.1 + 0.2 = 0.30000000000000004.
    assert.deepEqual(totals(invoice), ['1.96661', '2.316612', '0.350002', '0.5000']);
  });

  test('the invoice id is deterministic: contract, normalised period and currency', () => {
    const id = invoiceId(CONTRACT, period, 'EUR');
    assert.match(id, /^INV-[0-9A-F]{24}$/);
    assert.equal(invoiceId(CONTRACT.toLowerCase(), { ...period }, 'eur'), id);
    assert.notEqual(invoiceId(CONTRACT, period, 'CHF'), id);
    assert.notEqual(invoiceId(CONTRACT, { ...period, end: '2026-02-01T00:00:00.001Z' }, 'EUR'), id);
    assert.notEqual(invoiceId('NL-VLM-C0002', period, 'EUR'), id);
    const again = buildInvoices(CONTRACT, period, [line(aFinanceCdr({ emsp: ours, contract_id: CONTRACT }))]);
    assert.equal(again[0]?.id, id);
  });

  test('a contract without CDRs in the period has no invoice', () => {
    assert.deepEqual(buildInvoices(CONTRACT, period, []), []);
  });
});
