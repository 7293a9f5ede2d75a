import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ciString, ocpiString, optional } from './common.js';
import { tokenTypeSchema } from './locations.js';
import { profileTypeSchema } from './tokens.js';
import { list, objectId, priceSchema } from './types.js';

/** OCPI 2.2.1 §6 (Sessions) and the classes Sessions and CDRs share (§7.3). */
export const authMethodSchema = z.enum(['AUTH_REQUEST', 'COMMAND', 'WHITELIST']);
export const sessionStatusSchema = z.enum(['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION']);

/** Every CdrDimensionType; the Session-only ones must not appear in a CDR (see CDR_DIMENSION_TYPES). */
export const cdrDimensionTypeSchema = z.enum([
  'CURRENT',
  'ENERGY',
  'ENERGY_EXPORT',
  'ENERGY_IMPORT',
  'MAX_CURRENT',
  'MIN_CURRENT',
  'MAX_POWER',
  'MIN_POWER',
  'PARKING_TIME',
  'POWER',
  'RESERVATION_TIME',
  'STATE_OF_CHARGE',
  'TIME',
]);
export const SESSION_ONLY_DIMENSIONS: ReadonlySet<string> = new Set(['CURRENT', 'ENERGY_EXPORT', 'ENERGY_IMPORT', 'POWER', 'STATE_OF_CHARGE']);

export const cdrDimensionSchema = z.object({ type: cdrDimensionTypeSchema, volume: z.number() });

export const chargingPeriodSchema = z.object({
  start_date_time: ocpiDateTime,
  dimensions: z.array(cdrDimensionSchema).min(1, 'must have at least one dimension'),
  tariff_id: optional(objectId),
});

export const cdrTokenSchema = z.object({
  country_code: ciString(2, true),
  party_id: ciString(3, true),
  uid: objectId,
  type: tokenTypeSchema,
  contract_id: ciString(36),
});

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code');

export const sessionObjectSchema = z.object({
  country_code: ciString(2, true),
  party_id: ciString(3, true),
  id: objectId,
  start_date_time: ocpiDateTime,
  end_date_time: optional(ocpiDateTime),
  kwh: z.number().min(0),
  cdr_token: cdrTokenSchema,
  auth_method: authMethodSchema,
  authorization_reference: optional(ciString(36)),
  location_id: objectId,
  // `#NA` is allowed for a reservation without an assigned EVSE or connector.
  evse_uid: objectId,
  connector_id: objectId,
  meter_id: optional(ocpiString(255)),
  currency: currencySchema,
  charging_periods: list(chargingPeriodSchema),
  total_cost: optional(priceSchema),
  status: sessionStatusSchema,
  last_updated: ocpiDateTime,
});

/**
 * Charging periods are defined by their start alone (each lasts until the next starts), so
 * "overlapping" periods are periods whose starts are not strictly increasing.
 */
export function checkPeriodOrder(periods: readonly { start_date_time: string }[] | undefined, ctx: z.RefinementCtx, after?: string): void {
  let previous = after;
  periods?.forEach((period, index) => {
    if (previous !== undefined && period.start_date_time <= previous) {
      ctx.addIssue({
        code: 'custom',
        path: ['charging_periods', index, 'start_date_time'],
        message: `must be after the previous period's start (${previous}): periods out of order or overlapping`,
      });
    }
    previous = period.start_date_time;
  });
}

function checkPeriodsWithin(periods: readonly { start_date_time: string }[], end: string | undefined, ctx: z.RefinementCtx): void {
  if (end === undefined) return;
  periods.forEach((period, index) => {
    if (period.start_date_time > end) {
      ctx.addIssue({ code: 'custom', path: ['charging_periods', index, 'start_date_time'], message: `must not be after end_date_time (${end})` });
    }
  });
}

/** A whole Session (PUT): periods in order, none after the end, the end not before the start. */
export const sessionSchema = sessionObjectSchema.superRefine((session, ctx) => {
  checkPeriodOrder(session.charging_periods, ctx);
  checkPeriodsWithin(session.charging_periods, session.end_date_time, ctx);
  if (session.end_date_time !== undefined && session.end_date_time < session.start_date_time) {
    ctx.addIssue({ code: 'custom', path: ['end_date_time'], message: 'must not be before start_date_time' });
  }
});

/**
 * A Session PATCH: top-level fields only, `last_updated` mandatory (OCPI 2.2.1 §6.1), the
 * periods to append in order. Their order against the stored periods is the receiver's check.
 */
export const sessionPatchSchema = sessionObjectSchema
  .partial()
  .required({ last_updated: true })
  .superRefine((patch, ctx) => checkPeriodOrder(patch.charging_periods, ctx));

export const chargingPreferencesSchema = z.object({
  profile_type: profileTypeSchema,
  departure_time: optional(ocpiDateTime),
  energy_need: optional(z.number().min(0)),
  discharge_allowed: optional(z.boolean()),
});

export const chargingPreferencesResponseSchema = z.enum(['ACCEPTED', 'DEPARTURE_REQUIRED', 'ENERGY_NEED_REQUIRED', 'NOT_POSSIBLE', 'PROFILE_TYPE_NOT_SUPPORTED']);

export type Session = z.output<typeof sessionSchema>;
export type SessionPatch = z.output<typeof sessionPatchSchema>;
export type ChargingPeriod = z.output<typeof chargingPeriodSchema>;
export type CdrToken = z.output<typeof cdrTokenSchema>;
export type ChargingPreferences = z.output<typeof chargingPreferencesSchema>;
