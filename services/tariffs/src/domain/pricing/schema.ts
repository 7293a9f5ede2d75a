import { z } from 'zod';
import type { CdrInput, ChargingPeriod } from './types.js';

/*
 * zod schema of the CDR fields the golden tests read: libs/ocpi has no CDR schema yet, and the
 * Tariff is parsed with libs/ocpi's own `tariffSchema`. Unknown fields are stripped, optional
 * fields accept absent or null (REFERENCE §14.11).
 */

const price = z.object({ excl_vat: z.number(), incl_vat: z.number().nullish() });

export const chargingPeriodSchema = z.object({
  start_date_time: z.string(),
  dimensions: z.array(z.object({ type: z.string(), volume: z.number() })),
  tariff_id: z.string().nullish(),
}) satisfies z.ZodType<ChargingPeriod>;

export const cdrSchema = z.object({
  start_date_time: z.string(),
  end_date_time: z.string(),
  currency: z.string(),
  charging_periods: z.array(chargingPeriodSchema),
  total_cost: price,
  total_fixed_cost: price.nullish(),
  total_energy: z.number(),
  total_energy_cost: price.nullish(),
  total_time: z.number(),
  total_time_cost: price.nullish(),
  total_parking_time: z.number().nullish(),
  total_parking_cost: price.nullish(),
  total_reservation_cost: price.nullish(),
}) satisfies z.ZodType<CdrInput>;

export type CdrWithTotals = z.infer<typeof cdrSchema>;
