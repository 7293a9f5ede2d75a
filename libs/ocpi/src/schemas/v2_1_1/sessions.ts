import { z } from 'zod';
import { optional } from '../common.js';
import { checkPeriodOrder, currencySchema } from '../sessions.js';
import { list } from '../types.js';
import { dateTime211, id211, string211 } from './common.js';
import { locationSchema } from './locations.js';

/**
 * OCPI 2.1.1 Sessions module (`mod_sessions.md`), plus the classes it borrows from
 * `mod_cdrs.md` §4 (AuthMethod, CdrDimension, CdrDimensionType, ChargingPeriod), which
 * cdrs.ts imports from here as the 2.2.1 schemas do.
 */

/** mod_cdrs.md §4.1: no COMMAND in 2.1.1. */
export const AUTH_METHODS = ['AUTH_REQUEST', 'WHITELIST'] as const;
export const authMethodSchema = z.enum(AUTH_METHODS);

/** mod_sessions.md §4.1: no RESERVATION in 2.1.1. */
export const SESSION_STATUSES = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING'] as const;
export const sessionStatusSchema = z.enum(SESSION_STATUSES);

/** mod_cdrs.md §4.3: FLAT exists only in 2.1.1; MAX_/MIN_CURRENT are allowed in Sessions and CDRs alike. */
export const CDR_DIMENSION_TYPES = ['ENERGY', 'FLAT', 'MAX_CURRENT', 'MIN_CURRENT', 'PARKING_TIME', 'TIME'] as const;
export const cdrDimensionTypeSchema = z.enum(CDR_DIMENSION_TYPES);

/** mod_cdrs.md §4.2. */
export const cdrDimensionSchema = z.object({ type: cdrDimensionTypeSchema, volume: z.number() });

/** mod_cdrs.md §4.4: no tariff_id in 2.1.1. */
export const chargingPeriodSchema = z.object({
  start_date_time: dateTime211,
  dimensions: z.array(cdrDimensionSchema).min(1, 'must have at least one dimension'),
});

/**
 * The Location a Session or CDR embeds "including only the relevant EVSE and connector": one EVSE
 * with one connector, or the receiver could not tell which one was used.
 */
export function checkOnlyRelevantEvse(location: { evses: readonly { connectors: readonly unknown[] }[] } | undefined, ctx: z.RefinementCtx): void {
  if (location === undefined) return;
  if (location.evses.length !== 1) {
    ctx.addIssue({ code: 'custom', path: ['location', 'evses'], message: `must hold exactly the one EVSE used, has ${location.evses.length}` });
    return;
  }
  const connectors = location.evses[0]?.connectors.length ?? 0;
  if (connectors !== 1) {
    ctx.addIssue({ code: 'custom', path: ['location', 'evses', 0, 'connectors'], message: `must hold exactly the one connector used, has ${connectors}` });
  }
}

const sessionShape = {
  id: id211(36),
  start_datetime: dateTime211,
  end_datetime: optional(dateTime211),
  kwh: z.number(),
  auth_id: id211(36),
  auth_method: authMethodSchema,
  location: locationSchema,
  meter_id: optional(string211(255)),
  currency: currencySchema,
  charging_periods: list(chargingPeriodSchema),
  total_cost: optional(z.number()),
  status: sessionStatusSchema,
  last_updated: dateTime211,
};

/** mod_sessions.md §3.1. Same consistency rules as our 2.2.1 Session: periods in order, none after the end. */
export const sessionSchema = z.object(sessionShape).superRefine((session, ctx) => {
  checkOnlyRelevantEvse(session.location, ctx);
  checkPeriodOrder(session.charging_periods, ctx);
  if (session.end_datetime !== undefined) {
    const end = session.end_datetime;
    if (end < session.start_datetime) ctx.addIssue({ code: 'custom', path: ['end_datetime'], message: 'must not be before start_datetime' });
    session.charging_periods.forEach((period, index) => {
      if (period.start_date_time > end) {
        ctx.addIssue({ code: 'custom', path: ['charging_periods', index, 'start_date_time'], message: `must not be after end_datetime (${end})` });
      }
    });
  }
});

/**
 * A Session PATCH (mod_sessions.md §2.2.3): "only the fields/objects that have to be updated",
 * so any subset, and unlike 2.2.1 without a mandatory `last_updated` (the spec's own example is
 * `{ "total_cost": 0.60 }`). A list that is sent replaces the stored one: `charging_periods` in a
 * 2.1.1 PATCH is the complete list, not periods to append as in 2.2.1.
 */
export const sessionPatchSchema = z
  .object(sessionShape)
  .partial()
  .superRefine((patch, ctx) => {
    if (Object.values(patch).every((value) => value === undefined)) ctx.addIssue({ code: 'custom', path: [], message: 'must change at least one field' });
    checkOnlyRelevantEvse(patch.location, ctx);
    checkPeriodOrder(patch.charging_periods, ctx);
  });

export type AuthMethod = z.output<typeof authMethodSchema>;
export type SessionStatus = z.output<typeof sessionStatusSchema>;
export type CdrDimensionType = z.output<typeof cdrDimensionTypeSchema>;
export type CdrDimension = z.output<typeof cdrDimensionSchema>;
export type ChargingPeriod = z.output<typeof chargingPeriodSchema>;
export type Session = z.output<typeof sessionSchema>;
export type SessionPatch = z.output<typeof sessionPatchSchema>;
