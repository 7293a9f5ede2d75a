import { z } from 'zod';
import { internal } from '@voltmesh/errors';
import { ocpiDateTime, zodErrorMessage } from '@voltmesh/ocpi';
import type { CdrRecord, CdrRole, Party } from './cdr-record.js';
import { abs, decimal, fromNumber, negate, toFixed, type Decimal } from './decimal.js';

/** The stored CDR fields finance works from (a CdrRecord without our pricing and its OCPI JSON). */
export type CdrFacts = Omit<CdrRecord, 'pricing_json' | 'ocpi_json'>;

/** A CDR as finance counts it: its total_cost as exact decimals. */
export interface FinanceCdr {
  key: string;
  role: CdrRole;
  cpo: Party;
  id: string;
  emsp: Party;
  contract_id: string;
  session_id: string;
  currency: string;
  end_date_time: string;
  /** total_cost.excl_vat. */
  excl_vat: Decimal;
  /** total_cost.incl_vat; a CDR without one (OCPI makes it optional) counts its excl. VAT figure. */
  incl_vat: Decimal;
  /** Whether the CDR states an incl. VAT total at all. */
  states_incl_vat: boolean;
  credit: boolean;
  credit_reference_id: string;
  connection_id: string;
}

/**
 * The stored decimal strings of total_cost (the engine's for ours, the partner's numbers in their
 * shortest exact decimal form for received ones, see receive-partner-cdr), never floats.
 */
export function financeCdrOf(facts: CdrFacts): FinanceCdr {
  const excl = decimal(facts.total_cost_excl_vat, `CDR ${facts.key} total_cost.excl_vat`);
  const statesIncl = facts.total_cost_incl_vat !== '';
  return {
    key: facts.key,
    role: facts.role,
    cpo: facts.cpo,
    id: facts.id,
    emsp: facts.emsp,
    contract_id: facts.contract_id,
    session_id: facts.session_id,
    currency: facts.currency,
    end_date_time: facts.end_date_time,
    excl_vat: excl,
    incl_vat: statesIncl ? decimal(facts.total_cost_incl_vat, `CDR ${facts.key} total_cost.incl_vat`) : excl,
    states_incl_vat: statesIncl,
    credit: facts.credit,
    credit_reference_id: facts.credit_reference_id,
    connection_id: facts.connection_id,
  };
}

/** What an invoice line or a CDR export row needs from the OCPI JSON beyond the stored fields. */
export interface CdrDetails {
  start_date_time: string;
  location_id: string;
  /** total_energy (kWh) as the CDR states it. */
  total_energy: Decimal;
}

// Only these fields: the whole CDR was validated when it was stored (cdrSchema), and parsing
// every CDR of a period with the full schema would cost far more than the scan.
const detailsSchema = z.object({
  start_date_time: ocpiDateTime,
  total_energy: z.number(),
  cdr_location: z.object({ id: z.string() }),
});

/** The details of a stored CDR's OCPI JSON; unreadable stored data is INTERNAL (a bug, not input). */
export function cdrDetailsOf(key: string, ocpiJson: string | undefined): CdrDetails {
  let body: unknown;
  try {
    body = JSON.parse(ocpiJson ?? '') as unknown;
  } catch {
    throw internal(`stored CDR ${key}: ocpi_json is not JSON`);
  }
  const parsed = detailsSchema.safeParse(body);
  if (!parsed.success) throw internal(`stored CDR ${key}: ocpi_json: ${zodErrorMessage(parsed.error)}`);
  return { start_date_time: parsed.data.start_date_time, location_id: parsed.data.cdr_location.id, total_energy: fromNumber(parsed.data.total_energy) };
}

/**
 * The energy an invoice counts for a CDR: its total_energy, negative for a credit CDR (OCPI
 * credit CDRs negate the money but keep the quantities, as ours do; a credit reverses the energy
 * too, so original + credit is 0 kWh on the invoice).
 */
export const countedEnergy = (cdr: Pick<FinanceCdr, 'credit'>, details: Pick<CdrDetails, 'total_energy'>): Decimal =>
  cdr.credit ? negate(abs(details.total_energy)) : details.total_energy;

/**
 * Money and quantities on the finance views: the exact decimal with at least 4 decimals (our
 * engine's precision), more only when the value needs them, so nothing is ever rounded:
 * "2.5000", "-3.0250", "0.5250", "1.23456".
 */
export function figureText(value: Decimal): string {
  let { units, scale } = value;
  while (scale > 4 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return toFixed({ units, scale }, Math.max(4, scale));
}

export const partyText = (party: Party): string => `${party.country_code}*${party.party_id}`;

/** Orders parties (and anything keyed by one) as `CC*PID` text. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
