import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ciString, ocpiString, ocpiUrl, optional } from './common.js';
import { connectorFormatSchema, connectorTypeSchema, geoLocationSchema, powerTypeSchema } from './locations.js';
import { authMethodSchema, cdrTokenSchema, chargingPeriodSchema, checkPeriodOrder, currencySchema, SESSION_ONLY_DIMENSIONS } from './sessions.js';
import { tariffSchema } from './tariffs.js';
import { list, objectId, priceSchema } from './types.js';

/** OCPI 2.2.1 §7 (CDRs): the final, immutable billing document. */
export const cdrLocationSchema = z.object({
  id: objectId,
  name: optional(ocpiString(255)),
  // CdrLocation keeps 45/20 (the 2026 erratum widened only Location's address and state).
  address: ocpiString(45),
  city: ocpiString(45),
  postal_code: optional(ocpiString(10)),
  state: optional(ocpiString(20)),
  country: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 country code'),
  coordinates: geoLocationSchema,
  evse_uid: objectId,
  evse_id: ciString(48),
  connector_id: objectId,
  connector_standard: connectorTypeSchema,
  connector_format: connectorFormatSchema,
  connector_power_type: powerTypeSchema,
});

export const signedValueSchema = z.object({
  nature: ciString(32),
  plain_data: ocpiString(5000),
  signed_data: ocpiString(5000),
});

export const signedDataSchema = z.object({
  encoding_method: ciString(36),
  encoding_method_version: optional(z.number().int()),
  public_key: optional(ocpiString(512)),
  signed_values: z.array(signedValueSchema).min(1, 'must have at least one signed value'),
  url: optional(ocpiUrl),
});

/** A CDR's charging period: the Session-only dimensions (CURRENT, POWER, ...) are not allowed here. */
const cdrChargingPeriodSchema = chargingPeriodSchema.superRefine((period, ctx) => {
  period.dimensions.forEach((dimension, index) => {
    if (SESSION_ONLY_DIMENSIONS.has(dimension.type)) {
      ctx.addIssue({ code: 'custom', path: ['dimensions', index, 'type'], message: `${dimension.type} is a Session-only dimension, not allowed in a CDR` });
    }
  });
});

type Price = z.output<typeof priceSchema>;

interface CdrTotals {
  credit?: boolean | undefined;
  tariffs: readonly { min_price?: Price | undefined; max_price?: Price | undefined }[];
  total_cost: Price;
  total_fixed_cost?: Price | undefined;
  total_energy_cost?: Price | undefined;
  total_time_cost?: Price | undefined;
  total_parking_cost?: Price | undefined;
  total_reservation_cost?: Price | undefined;
}

/** Money in ten-thousandths (the 4 decimals we price with), so sums are exact. */
const units = (value: number): number => Math.round(value * 10_000);
const TOLERANCE_UNITS = 100; // 0.01: partners round their parts to cents one by one

/**
 * Whether a CDR's cost parts add up to its total_cost, or why not. The parts present (fixed,
 * energy, time, parking, reservation) must not exceed the total, and when all five are
 * present they must equal it, both within 0.01 (excl. VAT, and incl. VAT where every figure
 * has it). Skipped when a tariff of the CDR has min_price or max_price (the total is then
 * legitimately not the sum), and for credit CDRs (only their total is negated).
 */
export function cdrTotalsProblem(cdr: CdrTotals): string | undefined {
  if (cdr.credit || cdr.tariffs.some((t) => t.min_price !== undefined || t.max_price !== undefined)) return undefined;
  const parts = [cdr.total_fixed_cost, cdr.total_energy_cost, cdr.total_time_cost, cdr.total_parking_cost, cdr.total_reservation_cost];
  const present = parts.filter((p): p is Price => p !== undefined);
  if (present.length === 0) return undefined;
  const check = (label: string, pick: (p: Price) => number | undefined): string | undefined => {
    const total = pick(cdr.total_cost);
    const values = present.map(pick);
    if (total === undefined || values.some((v) => v === undefined)) return undefined;
    const sum = values.reduce<number>((acc, v) => acc + units(v ?? 0), 0);
    const difference = sum - units(total);
    const complete = present.length === parts.length;
    if (difference > TOLERANCE_UNITS || (complete && difference < -TOLERANCE_UNITS)) {
      return `does not add up: the cost parts sum to ${(sum / 10_000).toFixed(4)} ${label}, total_cost is ${total}`;
    }
    return undefined;
  };
  return check('excl. VAT', (p) => p.excl_vat) ?? check('incl. VAT', (p) => p.incl_vat);
}

export const cdrSchema = z
  .object({
    country_code: ciString(2, true),
    party_id: ciString(3, true),
    id: ciString(39),
    start_date_time: ocpiDateTime,
    end_date_time: ocpiDateTime,
    session_id: optional(objectId),
    cdr_token: cdrTokenSchema,
    auth_method: authMethodSchema,
    authorization_reference: optional(ciString(36)),
    cdr_location: cdrLocationSchema,
    meter_id: optional(ocpiString(255)),
    currency: currencySchema,
    tariffs: list(tariffSchema),
    charging_periods: z.array(cdrChargingPeriodSchema).min(1, 'must have at least one charging period'),
    signed_data: optional(signedDataSchema),
    total_cost: priceSchema,
    total_fixed_cost: optional(priceSchema),
    total_energy: z.number(),
    total_energy_cost: optional(priceSchema),
    total_time: z.number().min(0),
    total_time_cost: optional(priceSchema),
    total_parking_time: optional(z.number().min(0)),
    total_parking_cost: optional(priceSchema),
    total_reservation_cost: optional(priceSchema),
    remark: optional(ocpiString(255)),
    invoice_reference_id: optional(ciString(39)),
    credit: optional(z.boolean()),
    credit_reference_id: optional(ciString(39)),
    home_charging_compensation: optional(z.boolean()),
    last_updated: ocpiDateTime,
  })
  .superRefine((cdr, ctx) => {
    if (cdr.credit && !cdr.credit_reference_id) ctx.addIssue({ code: 'custom', path: ['credit_reference_id'], message: 'is required on a credit CDR' });
    if (!cdr.credit && cdr.id.length > 36) ctx.addIssue({ code: 'custom', path: ['id'], message: 'must be at most 36 characters (39 only for a credit CDR)' });
    if (cdr.end_date_time < cdr.start_date_time) ctx.addIssue({ code: 'custom', path: ['end_date_time'], message: 'must not be before start_date_time' });
    if (cdr.total_parking_time !== undefined && cdr.total_parking_time > cdr.total_time) {
      ctx.addIssue({ code: 'custom', path: ['total_parking_time'], message: 'must not exceed total_time' });
    }
    checkPeriodOrder(cdr.charging_periods, ctx);
    cdr.charging_periods.forEach((period, index) => {
      if (period.start_date_time > cdr.end_date_time) {
        ctx.addIssue({ code: 'custom', path: ['charging_periods', index, 'start_date_time'], message: `must not be after end_date_time (${cdr.end_date_time})` });
      }
    });
    cdr.tariffs.forEach((tariff, index) => {
      if (tariff.currency !== cdr.currency) {
        ctx.addIssue({ code: 'custom', path: ['tariffs', index, 'currency'], message: `is ${tariff.currency}, the CDR's currency is ${cdr.currency}` });
      }
    });
    const totals = cdrTotalsProblem(cdr);
    if (totals) ctx.addIssue({ code: 'custom', path: ['total_cost'], message: totals });
  });

export type Cdr = z.output<typeof cdrSchema>;
export type CdrLocation = z.output<typeof cdrLocationSchema>;
