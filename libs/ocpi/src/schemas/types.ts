import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ciString, ocpiString, optional } from './common.js';

/** `*` lists: absent, null or [] all read as []. */
export const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((value) => value ?? []);

export const displayTextSchema = z.object({
  language: z.string().length(2, 'must be an ISO 639-1 language code (2 characters)'),
  text: ocpiString(512),
});

/** OCPI `number`: a JSON number. Money stays a number on the wire and becomes a decimal in the engines. */
export const priceSchema = z.object({
  excl_vat: z.number(),
  incl_vat: optional(z.number()),
});

export const energySourceSchema = z.object({
  source: z.enum(['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER']),
  percentage: z.number().min(0).max(100),
});

export const environmentalImpactSchema = z.object({
  category: z.enum(['NUCLEAR_WASTE', 'CARBON_DIOXIDE']),
  amount: z.number().min(0),
});

export const energyMixSchema = z.object({
  is_green_energy: z.boolean(),
  energy_sources: list(energySourceSchema),
  environ_impact: list(environmentalImpactSchema),
  supplier_name: optional(ocpiString(64)),
  energy_product_name: optional(ocpiString(64)),
});

/** Object ids in URLs and bodies: CiString(36). */
export const objectId = ciString(36);
export const lastUpdated = ocpiDateTime;
