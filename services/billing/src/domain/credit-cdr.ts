import type { Cdr } from '@voltmesh/ocpi';
import { cdrKey, creditIdFor, type CdrRecord } from './cdr-record.js';
import { decimal, fromNumber, negate, toFixed, toNumber } from './decimal.js';

type Price = Cdr['total_cost'];

/**
 * The money fields a credit CDR negates: total_cost and every cost part (fixed, energy, time,
 * parking, reservation), excl. and incl. VAT. So the original and its credit add up to zero in
 * every cost column finance reports on. Quantities (total_energy, total_time,
 * total_parking_time, the charging periods' volumes) are what physically happened and stay as
 * they were (OCPI requires total_time and total_parking_time ≥ 0 anyway), as do the tariffs.
 */
export const NEGATED_FIELDS = ['total_cost', 'total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost'] as const;

const negatePrice = (price: Price): Price => ({
  excl_vat: toNumber(negate(fromNumber(price.excl_vat))),
  ...(price.incl_vat !== undefined ? { incl_vat: toNumber(negate(fromNumber(price.incl_vat))) } : {}),
});

/**
 * The credit CDR of one of our CDRs (OCPI 2.2.1 §7: a CDR is never changed; a correction is a
 * credit CDR, then possibly a new CDR). Same data, id = original id + "-C", credit true,
 * credit_reference_id = the original id, the money negated (NEGATED_FIELDS), remark = the
 * reason, last_updated = its creation time. An invoice_reference_id of the original is not
 * carried over: the credit is invoiced on its own.
 */
export function creditCdr(original: Cdr, reason: string, now: string): Cdr {
  const credit: Cdr = { ...original, id: creditIdFor(original.id), credit: true, credit_reference_id: original.id, remark: reason, last_updated: now };
  delete credit.invoice_reference_id;
  for (const field of NEGATED_FIELDS) {
    const price = original[field];
    if (price) credit[field] = negatePrice(price);
  }
  return credit;
}

/** The decimal string negated at its own precision ("3.0250" → "-3.0250", "0.0000" stays). */
function negateText(text: string): string {
  if (text === '') return '';
  const value = decimal(text, 'total');
  return toFixed(negate(value), value.scale);
}

/** The stored record of a credit CDR: the original's, totals negated, its own identity and time. */
export function creditCdrRecord(original: CdrRecord, credit: Cdr): CdrRecord {
  return {
    ...original,
    key: cdrKey(original.cpo, credit.id),
    id: credit.id,
    total_cost_excl_vat: negateText(original.total_cost_excl_vat),
    total_cost_incl_vat: negateText(original.total_cost_incl_vat),
    credit: true,
    credit_reference_id: original.id,
    created_at: credit.last_updated,
    // The original's pricing stays with the original (credit_reference_id leads to it).
    pricing_json: '',
    ocpi_json: JSON.stringify(credit),
  };
}
