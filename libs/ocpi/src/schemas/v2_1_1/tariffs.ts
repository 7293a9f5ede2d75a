import { z } from 'zod';
import { optional } from '../common.js';
import { list } from '../types.js';
import { dateTime211, displayTextSchema, energyMixSchema, id211, url211 } from './common.js';

/**
 * OCPI 2.1.1 Tariffs module (`mod_tariffs.md`, branch release-2.1.1-bugfixes). Compared with
 * 2.2.1: no owner fields, no `type`, `min_price`/`max_price`, `start_date_time`/`end_date_time`,
 * no PriceComponent `vat`, no `min_current`/`max_current`/`reservation` restrictions, and the
 * eMSP (Receiver) interface also takes PATCH (`tariffPatchSchema`).
 */

export const tariffDimensionTypeSchema = z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']);
export const dayOfWeekSchema = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);

/**
 * A field that 2.2 added and a 2.1.1 party may still send (hybrid implementations). Stripping it
 * like any unknown key would price differently from what the sender meant (a PROFILE_GREEN tariff
 * applied to everyone, a max_price or a current restriction ignored), so it is refused. null
 * counts as absent. The objects below drop these keys from their output.
 */
const notIn211 = z
  .unknown()
  .refine((value) => value === undefined || value === null, 'is not a 2.1.1 field (2.2 added it); refused rather than ignored, as ignoring it would change the price')
  .optional();

// The spec gives the regex for times; for dates only the example (2015-12-24): the same
// YYYY-MM-DD form 2.2.1 later wrote down, which is also what the 2.2.1 model stores.
const localTime = z.string().regex(/^([0-1][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (24h, leading zeros)');
const localDate = z.string().regex(/^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, 'must be YYYY-MM-DD');

// Prices, steps and bounds are non-negative, as in our 2.2.1 schema (the 2.1.1 `number` type
// itself does not say; a negative price per unit or a negative kWh bound has no meaning).
export const priceComponentSchema = z
  .object({
    type: tariffDimensionTypeSchema,
    price: z.number().min(0),
    step_size: z.number().int().min(0),
    vat: notIn211,
  })
  .transform(({ vat: _vat, ...component }) => component);

export const tariffRestrictionsSchema = z
  .object({
    start_time: optional(localTime),
    end_time: optional(localTime),
    start_date: optional(localDate),
    end_date: optional(localDate),
    min_kwh: optional(z.number().min(0)),
    max_kwh: optional(z.number().min(0)),
    min_power: optional(z.number().min(0)),
    max_power: optional(z.number().min(0)),
    min_duration: optional(z.number().int().min(0)),
    max_duration: optional(z.number().int().min(0)),
    day_of_week: list(dayOfWeekSchema),
    min_current: notIn211,
    max_current: notIn211,
    reservation: notIn211,
  })
  .transform(({ min_current: _minCurrent, max_current: _maxCurrent, reservation: _reservation, ...restrictions }) => restrictions);

export const tariffElementSchema = z.object({
  price_components: z.array(priceComponentSchema).min(1, 'must have at least one price component'),
  restrictions: optional(tariffRestrictionsSchema),
});

const tariffObjectSchema = z.object({
  id: id211(36),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code'),
  tariff_alt_text: list(displayTextSchema),
  tariff_alt_url: optional(url211),
  elements: z.array(tariffElementSchema).min(1, 'must have at least one element'),
  energy_mix: optional(energyMixSchema),
  last_updated: dateTime211,
  type: notIn211,
  min_price: notIn211,
  max_price: notIn211,
  start_date_time: notIn211,
  end_date_time: notIn211,
});

type Refused22 = 'type' | 'min_price' | 'max_price' | 'start_date_time' | 'end_date_time';
const without22 = <T extends Partial<Record<Refused22, unknown>>>({ type: _type, min_price: _min, max_price: _max, start_date_time: _start, end_date_time: _end, ...tariff }: T): Omit<T, Refused22> => tariff;

export const tariffSchema = tariffObjectSchema.transform(without22);

/**
 * PATCH body: only the fields to change (2.1.1 does not require `last_updated` in a PATCH).
 * An absent `tariff_alt_text` stays absent (unchanged), it is not read as [].
 */
export const tariffPatchSchema = tariffObjectSchema.partial().transform(without22);

export type TariffDimensionType = z.output<typeof tariffDimensionTypeSchema>;
export type DayOfWeek = z.output<typeof dayOfWeekSchema>;
export type PriceComponent = z.output<typeof priceComponentSchema>;
export type TariffRestrictions = z.output<typeof tariffRestrictionsSchema>;
export type TariffElement = z.output<typeof tariffElementSchema>;
export type Tariff = z.output<typeof tariffSchema>;
export type TariffPatch = z.output<typeof tariffPatchSchema>;
