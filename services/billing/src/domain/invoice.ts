import { createHash } from 'node:crypto';
import type { Party } from './cdr-record.js';
import { add, subtract, sum, ZERO, type Decimal } from './decimal.js';
import { compareText, countedEnergy, type CdrDetails, type FinanceCdr } from './finance-cdr.js';
import type { Period } from './finance-period.js';

/** One CDR on a driver's invoice. A credit CDR is a line of its own, negative, naming the credited CDR. */
export interface InvoiceLine {
  cdr_key: string;
  cdr_id: string;
  cpo: Party;
  session_id: string;
  location_id: string;
  start_date_time: string;
  end_date_time: string;
  currency: string;
  energy_kwh: Decimal;
  excl_vat: Decimal;
  incl_vat: Decimal;
  credit: boolean;
  credit_reference_id: string;
}

export interface Invoice {
  id: string;
  contract_id: string;
  currency: string;
  period: Period;
  lines: InvoiceLine[];
  total_excl_vat: Decimal;
  total_incl_vat: Decimal;
  /** total_incl_vat − total_excl_vat, exactly. */
  total_vat: Decimal;
  total_energy_kwh: Decimal;
}

const sameParty = (a: Party, b: Party): boolean => a.country_code === b.country_code && a.party_id === b.party_id;

/**
 * Whether a CDR goes on the invoice of `contractId` (upper case): its cdr_token names the
 * contract, and the driver is ours, i.e. it was received by our eMSP (role EMSP: a partner CPO
 * charged our driver) or our CPO issued it for a token of one of our eMSP parties (our driver at
 * our own chargers). Our CPO's CDRs for partner eMSPs' drivers are theirs to invoice, whatever
 * their contract id says.
 */
export function isOnInvoice(cdr: Pick<FinanceCdr, 'role' | 'contract_id' | 'emsp'>, contractId: string, ownEmspParties: readonly Party[]): boolean {
  if (cdr.contract_id.toUpperCase() !== contractId) return false;
  return cdr.role === 'EMSP' || ownEmspParties.some((party) => sameParty(party, cdr.emsp));
}

/** The invoice line of a CDR: its total_cost as stored (a credit CDR's is negative), its energy (negative for a credit). */
export function invoiceLineOf(cdr: FinanceCdr, details: CdrDetails): InvoiceLine {
  return {
    cdr_key: cdr.key,
    cdr_id: cdr.id,
    cpo: cdr.cpo,
    session_id: cdr.session_id,
    location_id: details.location_id,
    start_date_time: details.start_date_time,
    end_date_time: cdr.end_date_time,
    currency: cdr.currency,
    energy_kwh: countedEnergy(cdr, details),
    excl_vat: cdr.excl_vat,
    incl_vat: cdr.incl_vat,
    credit: cdr.credit,
    credit_reference_id: cdr.credit_reference_id,
  };
}

/**
 * The invoice id: deterministic from the contract, the normalised period and the currency, so
 * asking again (with any spelling of the same instants) names the same invoice. `INV-` + the
 * first 24 hex digits (upper case) of SHA-256 over `CONTRACT|start|end|CURRENCY` (28 characters
 * whatever the contract's length).
 */
export function invoiceId(contractId: string, period: Period, currency: string): string {
  const digest = createHash('sha256').update(`${contractId.toUpperCase()}|${period.start}|${period.end}|${currency.toUpperCase()}`).digest('hex');
  return `INV-${digest.slice(0, 24).toUpperCase()}`;
}

/**
 * One invoice per currency (never converted), ordered by currency; lines ordered by
 * end_date_time then CDR key; totals the exact sums of the lines (no rounding anywhere), VAT =
 * incl. − excl. VAT, energy = Σ of the lines' energy.
 */
export function buildInvoices(contractId: string, period: Period, lines: readonly InvoiceLine[]): Invoice[] {
  const byCurrency = new Map<string, InvoiceLine[]>();
  for (const line of lines) {
    const list = byCurrency.get(line.currency) ?? [];
    list.push(line);
    byCurrency.set(line.currency, list);
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([currency, list]) => {
      const ordered = [...list].sort((a, b) => compareText(a.end_date_time, b.end_date_time) || compareText(a.cdr_key, b.cdr_key));
      const excl = sum(ordered.map((line) => line.excl_vat));
      const incl = sum(ordered.map((line) => line.incl_vat));
      return {
        id: invoiceId(contractId, period, currency),
        contract_id: contractId,
        currency,
        period,
        lines: ordered,
        total_excl_vat: excl,
        total_incl_vat: incl,
        total_vat: subtract(incl, excl),
        total_energy_kwh: ordered.reduce((total, line) => add(total, line.energy_kwh), ZERO),
      };
    });
}
