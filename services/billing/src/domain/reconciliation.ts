import type { Cdr } from '@voltmesh/ocpi';
import { abs, compare, decimal, fromNumber, subtract, toPlain, type Decimal } from './decimal.js';
import type { PricingRecord } from './pricing-record.js';

/** Which tariff (of the CPO party) a received CDR is re-priced with, or why it cannot be. */
export type RepriceTariff = { kind: 'tariff'; id: string } | { kind: 'cannot'; reason: string };

/**
 * The price engine prices a CDR with one tariff. The tariff is the one its charging periods
 * name (`tariff_id`), else the id of its first `tariffs` entry. Periods naming several tariffs
 * cannot be re-priced as a whole (step_size and min/max_price apply to the whole session, so
 * pricing the periods tariff by tariff would not give the CPO's figure either): that is a
 * dispute, saying so.
 */
export function tariffToReprice(cdr: Pick<Cdr, 'charging_periods' | 'tariffs'>): RepriceTariff {
  const named = [...new Set(cdr.charging_periods.map((period) => period.tariff_id?.toUpperCase()).filter((id): id is string => !!id))];
  if (named.length > 1) return { kind: 'cannot', reason: `cannot re-price: the charging periods name several tariffs (${named.join(', ')}); a CDR is re-priced with one` };
  const id = named[0] ?? cdr.tariffs[0]?.id.toUpperCase();
  if (!id) return { kind: 'cannot', reason: 'cannot re-price: the CDR names no tariff (no charging period tariff_id, no tariffs)' };
  return { kind: 'tariff', id };
}

/** How reconciliation compares: incl. VAT, or excl. VAT when the CDR has no incl. VAT total. */
export type Basis = 'INCL_VAT' | 'EXCL_VAT';

export interface Comparison {
  basis: Basis;
  currency: string;
  /** Decimal strings: the CPO's total, ours, charged − ours, the tolerance applied. */
  charged: string;
  expected: string;
  difference: string;
  tolerance: string;
  /** True when |difference| ≤ tolerance. */
  within: boolean;
}

export type ReconciliationDecision = { kind: 'match'; comparison: Comparison } | { kind: 'dispute'; comparison?: Comparison; reason: string };

/** Tolerances per currency: a default and exceptions (e.g. JPY 1), all in the currency's units. */
export interface Tolerances {
  default: Decimal;
  byCurrency: ReadonlyMap<string, Decimal>;
}

export const toleranceFor = (tolerances: Tolerances, currency: string): Decimal => tolerances.byCurrency.get(currency.toUpperCase()) ?? tolerances.default;

/**
 * Compares the CPO's total_cost with our re-pricing. A difference beyond the currency's
 * tolerance (strictly greater) is a dispute; so is a price in another currency than the CDR's.
 */
export function decideReconciliation(cdr: Pick<Cdr, 'currency' | 'total_cost'>, ours: Pick<PricingRecord, 'currency' | 'total_cost'>, tolerances: Tolerances): ReconciliationDecision {
  if (ours.currency.toUpperCase() !== cdr.currency.toUpperCase()) {
    return { kind: 'dispute', reason: `currency: the CDR is in ${cdr.currency}, our price in ${ours.currency}` };
  }
  const basis: Basis = cdr.total_cost.incl_vat !== undefined ? 'INCL_VAT' : 'EXCL_VAT';
  const charged = fromNumber(basis === 'INCL_VAT' ? (cdr.total_cost.incl_vat as number) : cdr.total_cost.excl_vat);
  const expected = decimal(basis === 'INCL_VAT' ? ours.total_cost.incl_vat : ours.total_cost.excl_vat, 'our total_cost');
  const difference = subtract(charged, expected);
  const tolerance = toleranceFor(tolerances, cdr.currency);
  const comparison: Comparison = {
    basis,
    currency: cdr.currency,
    charged: toPlain(charged),
    expected: toPlain(expected),
    difference: toPlain(difference),
    tolerance: toPlain(tolerance),
    within: compare(abs(difference), tolerance) <= 0,
  };
  if (comparison.within) return { kind: 'match', comparison };
  const label = basis === 'INCL_VAT' ? 'incl. VAT' : 'excl. VAT (the CDR has no incl. VAT total)';
  return {
    kind: 'dispute',
    comparison,
    reason: `total_cost ${label}: charged ${comparison.charged} ${cdr.currency}, expected ${comparison.expected} (difference ${comparison.difference}, tolerance ${comparison.tolerance})`,
  };
}

/** What re-pricing a received CDR gave. */
export type RepricingResult =
  | { kind: 'priced'; pricing: PricingRecord }
  /** The tariff the CDR names is not one we hold (tariffs NOT_FOUND). */
  | { kind: 'not-held'; tariff: string }
  /** The price engine refused to price it (its message). */
  | { kind: 'refused'; tariff: string; message: string }
  /** We could not even ask (see tariffToReprice), or the CDR is not re-priced at all. */
  | { kind: 'cannot'; reason: string }
  | { kind: 'skipped'; reason: string };

export type ReconciliationStatus = 'MATCHED' | 'DISPUTED' | 'SKIPPED';

/** The outcome of reconciling one received CDR, stored once (its absence means "pending"). */
export interface ReconciliationRecord {
  key: string;
  status: ReconciliationStatus;
  reason: string;
  /** Our PricingRecord JSON when the partner's tariff was known and priced; else ''. */
  pricing_json: string;
  reconciled_at: string;
}

export interface DisputeRecord {
  /** The CDR's key (CC*PID*ID). */
  key: string;
  cpo: { country_code: string; party_id: string };
  cdr_id: string;
  connection_id: string;
  currency: string;
  /**
   * Decimal strings of the compared totals: incl. VAT, or excl. VAT when the CDR has no incl.
   * VAT total (details_json.basis says which). expected and difference are '' when we could not price.
   */
  charged_incl_vat: string;
  expected_incl_vat: string;
  difference_incl_vat: string;
  status: 'OPEN' | 'RESOLVED';
  reason: string;
  details_json: string;
  opened_at: string;
}

interface ReceivedCdr {
  key: string;
  cpo: { country_code: string; party_id: string };
  id: string;
  connection_id: string;
}

const plainPrice = (price: Cdr['total_cost']) => ({
  excl_vat: toPlain(fromNumber(price.excl_vat)),
  ...(price.incl_vat !== undefined ? { incl_vat: toPlain(fromNumber(price.incl_vat)) } : {}),
});

/** The CDR's side of a dispute: every total it states, as decimal strings. */
function chargedTotals(cdr: Cdr): Record<string, unknown> {
  const parts = ['total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost'] as const;
  return {
    total_cost: plainPrice(cdr.total_cost),
    ...Object.fromEntries(parts.flatMap((part) => (cdr[part] ? [[part, plainPrice(cdr[part])]] : []))),
    total_energy: toPlain(fromNumber(cdr.total_energy)),
    total_time: toPlain(fromNumber(cdr.total_time)),
    ...(cdr.total_parking_time !== undefined ? { total_parking_time: toPlain(fromNumber(cdr.total_parking_time)) } : {}),
  };
}

/**
 * Turns a re-pricing into the stored outcome: MATCHED within the tolerance; DISPUTED (with an
 * OPEN dispute) beyond it, for a tariff we do not hold, or one the engine cannot price the CDR
 * with; SKIPPED for CDRs we do not re-price (credit CDRs).
 */
export function reconciliationOutcome(
  received: ReceivedCdr,
  cdr: Cdr,
  result: RepricingResult,
  tolerances: Tolerances,
  now: string,
): { reconciliation: ReconciliationRecord; dispute?: DisputeRecord } {
  const record = (status: ReconciliationStatus, reason: string, pricing?: PricingRecord): ReconciliationRecord => ({
    key: received.key,
    status,
    reason,
    pricing_json: pricing ? JSON.stringify(pricing) : '',
    reconciled_at: now,
  });
  if (result.kind === 'skipped') return { reconciliation: record('SKIPPED', result.reason) };
  const charged = chargedTotals(cdr);
  const dispute = (reason: string, details: Record<string, unknown>, comparison?: Comparison): DisputeRecord => {
    const stated = cdr.total_cost.incl_vat ?? cdr.total_cost.excl_vat;
    return {
      key: received.key,
      cpo: received.cpo,
      cdr_id: received.id,
      connection_id: received.connection_id,
      currency: cdr.currency,
      charged_incl_vat: comparison?.charged ?? toPlain(fromNumber(stated)),
      expected_incl_vat: comparison?.expected ?? '',
      difference_incl_vat: comparison?.difference ?? '',
      status: 'OPEN',
      reason,
      details_json: JSON.stringify({ charged, ...details }),
      opened_at: now,
    };
  };
  switch (result.kind) {
    case 'cannot':
      return { reconciliation: record('DISPUTED', result.reason), dispute: dispute(result.reason, {}) };
    case 'not-held': {
      const reason = `tariff ${result.tariff} not held: cannot re-price`;
      return { reconciliation: record('DISPUTED', reason), dispute: dispute(reason, { tariff: result.tariff }) };
    }
    case 'refused': {
      const reason = `cannot re-price with tariff ${result.tariff}: ${result.message}`;
      return { reconciliation: record('DISPUTED', reason), dispute: dispute(reason, { tariff: result.tariff, error: result.message }) };
    }
    case 'priced': {
      const decision = decideReconciliation(cdr, result.pricing, tolerances);
      if (decision.kind === 'match') return { reconciliation: record('MATCHED', `within tolerance (difference ${decision.comparison.difference})`, result.pricing) };
      const { pricing } = result;
      const expected = {
        total_cost: pricing.total_cost,
        total_fixed_cost: pricing.total_fixed_cost,
        total_energy_cost: pricing.total_energy_cost,
        total_time_cost: pricing.total_time_cost,
        total_parking_cost: pricing.total_parking_cost,
        total_reservation_cost: pricing.total_reservation_cost,
        total_energy: pricing.total_energy,
        total_time: pricing.total_time,
        total_parking_time: pricing.total_parking_time,
      };
      const details = { ...(decision.comparison ? { comparison: decision.comparison } : {}), tariff: pricing.tariff, expected, breakdown: pricing.breakdown };
      return { reconciliation: record('DISPUTED', decision.reason, pricing), dispute: dispute(decision.reason, details, decision.comparison) };
    }
  }
}
