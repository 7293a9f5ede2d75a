import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ciString, ocpiUrl, optional } from './common.js';
import { displayTextSchema, energyMixSchema, list, objectId, priceSchema } from './types.js';

export const tariffDimensionTypeSchema = z.enum(['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME']);
export const dayOfWeekSchema = z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']);
export const tariffTypeSchema = z.enum(['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR']);
export const reservationRestrictionSchema = z.enum(['RESERVATION', 'RESERVATION_EXPIRES']);

export const priceComponentSchema = z.object({
  type: tariffDimensionTypeSchema,
  price: z.number().min(0),
  vat: optional(z.number().min(0)),
  step_size: z.number().int().min(0),
});

const localTime = z.string().regex(/^([0-1][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM');
const localDate = z.string().regex(/^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, 'must be YYYY-MM-DD');

export const tariffRestrictionsSchema = z.object({
  start_time: optional(localTime),
  end_time: optional(localTime),
  start_date: optional(localDate),
  end_date: optional(localDate),
  min_kwh: optional(z.number().min(0)),
  max_kwh: optional(z.number().min(0)),
  min_current: optional(z.number().min(0)),
  max_current: optional(z.number().min(0)),
  min_power: optional(z.number().min(0)),
  max_power: optional(z.number().min(0)),
  min_duration: optional(z.number().int().min(0)),
  max_duration: optional(z.number().int().min(0)),
  day_of_week: list(dayOfWeekSchema),
  reservation: optional(reservationRestrictionSchema),
});

export const tariffElementSchema = z
  .object({
    price_components: z.array(priceComponentSchema).min(1, 'must have at least one price component'),
    restrictions: optional(tariffRestrictionsSchema),
  })
  .refine(
    (element) => !element.restrictions?.reservation || element.price_components.every((component) => component.type === 'FLAT' || component.type === 'TIME'),
    { message: 'a reservation element may only have FLAT and TIME components', path: ['price_components'] },
  );

export const tariffSchema = z.object({
  country_code: ciString(2, true),
  party_id: ciString(3, true),
  id: objectId,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code'),
  type: optional(tariffTypeSchema),
  tariff_alt_text: list(displayTextSchema),
  tariff_alt_url: optional(ocpiUrl),
  min_price: optional(priceSchema),
  max_price: optional(priceSchema),
  elements: z.array(tariffElementSchema).min(1, 'must have at least one element'),
  start_date_time: optional(ocpiDateTime),
  end_date_time: optional(ocpiDateTime),
  energy_mix: optional(energyMixSchema),
  last_updated: ocpiDateTime,
});

export type Tariff = z.output<typeof tariffSchema>;
export type TariffElement = z.output<typeof tariffElementSchema>;
export type PriceComponent = z.output<typeof priceComponentSchema>;
export type TariffRestrictions = z.output<typeof tariffRestrictionsSchema>;
