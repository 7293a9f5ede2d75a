import type { CsvColumn } from './csv.js';
import { figureText, partyText, type CdrDetails, type FinanceCdr } from './finance-cdr.js';
import type { Invoice, InvoiceLine } from './invoice.js';
import type { Settlement, SettlementAmount } from './settlement.js';

const text = <Row>(name: string, value: (row: Row) => string): CsvColumn<Row> => ({ name, kind: 'text', value });
const figure = <Row>(name: string, value: (row: Row) => string): CsvColumn<Row> => ({ name, kind: 'figure', value });

/** INVOICE_LINES: one row per line of each invoice (GetInvoices), invoices by currency, lines in invoice order. */
export type InvoiceLineRow = { invoice: Invoice; line: InvoiceLine };

export const INVOICE_LINE_COLUMNS: readonly CsvColumn<InvoiceLineRow>[] = [
  text('invoice_id', (row) => row.invoice.id),
  text('contract_id', (row) => row.invoice.contract_id),
  figure('currency', (row) => row.invoice.currency),
  figure('period_start', (row) => row.invoice.period.start),
  figure('period_end', (row) => row.invoice.period.end),
  text('cdr_key', (row) => row.line.cdr_key),
  text('cdr_id', (row) => row.line.cdr_id),
  text('cpo_party', (row) => partyText(row.line.cpo)),
  text('session_id', (row) => row.line.session_id),
  text('location_id', (row) => row.line.location_id),
  figure('start_date_time', (row) => row.line.start_date_time),
  figure('end_date_time', (row) => row.line.end_date_time),
  figure('energy_kwh', (row) => figureText(row.line.energy_kwh)),
  figure('excl_vat', (row) => figureText(row.line.excl_vat)),
  figure('incl_vat', (row) => figureText(row.line.incl_vat)),
  figure('credit', (row) => String(row.line.credit)),
  text('credit_reference_id', (row) => row.line.credit_reference_id),
];

export const invoiceLineRows = (invoices: readonly Invoice[]): InvoiceLineRow[] => invoices.flatMap((invoice) => invoice.lines.map((line) => ({ invoice, line })));

/** SETTLEMENT: one row per settlement amount (partner × currency), in GetSettlement's order. */
export type SettlementRow = { settlement: Settlement; amount: SettlementAmount };

export const SETTLEMENT_COLUMNS: readonly CsvColumn<SettlementRow>[] = [
  text('connection_id', (row) => row.settlement.connection_id),
  text('party', (row) => (row.settlement.party ? partyText(row.settlement.party) : '')),
  figure('period_start', (row) => row.settlement.period.start),
  figure('period_end', (row) => row.settlement.period.end),
  figure('currency', (row) => row.amount.currency),
  figure('payable_cdrs', (row) => String(row.amount.payable_cdrs)),
  figure('payable_excl_vat', (row) => figureText(row.amount.payable_excl_vat)),
  figure('payable_incl_vat', (row) => figureText(row.amount.payable_incl_vat)),
  figure('receivable_cdrs', (row) => String(row.amount.receivable_cdrs)),
  figure('receivable_excl_vat', (row) => figureText(row.amount.receivable_excl_vat)),
  figure('receivable_incl_vat', (row) => figureText(row.amount.receivable_incl_vat)),
  figure('net_incl_vat', (row) => figureText(row.amount.net_incl_vat)),
  figure('disputed_incl_vat', (row) => figureText(row.amount.disputed_incl_vat)),
  figure('open_disputes', (row) => String(row.amount.open_disputes)),
];

export const settlementRows = (settlements: readonly Settlement[]): SettlementRow[] => settlements.flatMap((settlement) => settlement.amounts.map((amount) => ({ settlement, amount })));

/**
 * CDRS: one row per CDR of the period, both roles, ordered by end_date_time then key; the CDR's
 * own figures (a credit's total_cost negative as stored, its energy as stated; incl_vat empty when
 * a partner's CDR states none).
 */
export type CdrRow = { cdr: FinanceCdr; details: CdrDetails };

export const CDR_COLUMNS: readonly CsvColumn<CdrRow>[] = [
  figure('role', (row) => row.cdr.role),
  text('cpo_party', (row) => partyText(row.cdr.cpo)),
  text('cdr_id', (row) => row.cdr.id),
  text('session_id', (row) => row.cdr.session_id),
  text('contract_id', (row) => row.cdr.contract_id),
  text('emsp_party', (row) => partyText(row.cdr.emsp)),
  figure('start_date_time', (row) => row.details.start_date_time),
  figure('end_date_time', (row) => row.cdr.end_date_time),
  figure('energy_kwh', (row) => figureText(row.details.total_energy)),
  figure('currency', (row) => row.cdr.currency),
  figure('excl_vat', (row) => figureText(row.cdr.excl_vat)),
  figure('incl_vat', (row) => (row.cdr.states_incl_vat ? figureText(row.cdr.incl_vat) : '')),
  figure('credit', (row) => String(row.cdr.credit)),
  text('credit_reference_id', (row) => row.cdr.credit_reference_id),
  text('connection_id', (row) => row.cdr.connection_id),
];
