import { z } from 'zod';
import { optional } from '../common.js';
import { checkPeriodOrder, currencySchema } from '../sessions.js';
import { list } from '../types.js';
import { ciString211, dateTime211, id211, string211 } from './common.js';
import { locationSchema } from './locations.js';
import { authMethodSchema, chargingPeriodSchema, checkOnlyRelevantEvse } from './sessions.js';
import { tariffSchema } from './tariffs.js';

/**
 * OCPI 2.1.1 CDRs module (`mod_cdrs.md` §3.1). Compared with 2.2.1: `stop_date_time` (not
 * `end_date_time`), `auth_id` (not a CdrToken), a full embedded `location` (not a CdrLocation),
 * plain numbers for money (excl. VAT), no cost breakdown, no credit CDRs, no signed data, no
 * session_id. CDRs are only POSTed and read, never patched, so there is no PATCH schema.
 */
const cdrObjectSchema = z
  .object({
    id: ciString211(36),
    start_date_time: dateTime211,
    stop_date_time: dateTime211,
    auth_id: id211(36),
    auth_method: authMethodSchema,
    location: locationSchema,
    meter_id: optional(string211(255)),
    currency: currencySchema,
    tariffs: list(tariffSchema),
    charging_periods: z.array(chargingPeriodSchema).min(1, 'must have at least one charging period'),
    total_cost: z.number(),
    total_energy: z.number(),
    total_time: z.number(),
    total_parking_time: optional(z.number()),
    remark: optional(string211(255)),
    last_updated: dateTime211,
  })
  // The same consistency rules as our 2.2.1 CDR (the spec: a period "ends when a next period
  // starts, the last period ends when the session ends"; charging time = total_time - total_parking_time).
  .superRefine((cdr, ctx) => {
    checkOnlyRelevantEvse(cdr.location, ctx);
    if (cdr.stop_date_time < cdr.start_date_time) ctx.addIssue({ code: 'custom', path: ['stop_date_time'], message: 'must not be before start_date_time' });
    if (cdr.total_parking_time !== undefined && cdr.total_parking_time > cdr.total_time) {
      ctx.addIssue({ code: 'custom', path: ['total_parking_time'], message: 'must not exceed total_time' });
    }
    checkPeriodOrder(cdr.charging_periods, ctx);
    cdr.charging_periods.forEach((period, index) => {
      if (period.start_date_time > cdr.stop_date_time) {
        ctx.addIssue({ code: 'custom', path: ['charging_periods', index, 'start_date_time'], message: `must not be after stop_date_time (${cdr.stop_date_time})` });
      }
    });
    cdr.tariffs.forEach((tariff, index) => {
      if (tariff.currency !== cdr.currency) {
        ctx.addIssue({ code: 'custom', path: ['tariffs', index, 'currency'], message: `is ${tariff.currency}, the CDR's currency is ${cdr.currency}` });
      }
    });
  });

/**
 * 2.2 added credit CDRs. A 2.1.1 party that still sends `credit: true` means a refund: dropping
 * the key as an unknown one would book it as one more charge, so the CDR is refused instead.
 */
export const cdrSchema = z.preprocess((value, ctx) => {
  if (typeof value === 'object' && value !== null && (value as Record<string, unknown>)['credit'] === true) {
    ctx.addIssue({ code: 'custom', path: ['credit'], input: true, message: 'is not a 2.1.1 field (added in 2.2): a credit CDR is refused rather than booked as a charge' });
  }
  return value;
}, cdrObjectSchema);

export type Cdr = z.output<typeof cdrSchema>;
