import { z } from 'zod';
import { formatOcpiDateTime, parseOcpiDateTime } from '../../datetime.js';
import { ciString, ocpiString, ocpiUrl, optional } from '../common.js';
import { list } from '../types.js';

/**
 * Types shared by the OCPI 2.1.1 wire schemas (2.1.1 `types.md` and the data types of
 * `mod_locations.md`). Where a rule is the same as in 2.2.1 the 2.2.1 helper is reused.
 */

/**
 * 2.1.1 string(n). The 2.1.1 text says "printable ASCII"; we accept printable UTF-8 like 2.2.1
 * (no control characters), because JSON is UTF-8 and refusing a Location whose city is "Zürich"
 * would only break partners; what we emit is what the 2.2.1 model holds.
 */
export const string211 = (max: number) => ocpiString(max);

/**
 * 2.1.1 ids (Location.id, EVSE.uid: string(39); Connector.id, Token.uid: string(36)): case
 * SENSITIVE, unlike the 2.2.1 CiString(36). Kept as sent; the edge mappers fold them.
 */
export const id211 = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');

/** 2.1.1 CiString: printable ASCII, case-insensitive (upper-cased, as in 2.2.1). */
export const ciString211 = ciString;

/** 2.1.1 URL: string(255) (an http(s) URL, as in 2.2.1). */
export const url211 = ocpiUrl;

const ISO_8601_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses a 2.1.1 DateTime. Like 2.2.1 it is UTC with an optional `Z`, but 2.1.1 is "ISO 8601
 * combined date and time" and its own types.md lists `2015-06-29T22:39:09+02:00` as an example,
 * so an explicit offset is accepted here and converted to the same instant in UTC.
 */
export function parseDateTime211(value: string): Date | undefined {
  const match = ISO_8601_OFFSET.exec(value);
  if (!match) return undefined;
  const [, local = '', zone] = match;
  const utc = parseOcpiDateTime(local);
  if (!utc || zone === undefined || zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return new Date(utc.getTime() - sign * (hours * 60 + minutes) * 60_000);
}

/** 2.1.1 DateTime, normalised to what we emit everywhere: `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export const dateTime211 = z.string().transform((value, ctx) => {
  const date = parseDateTime211(value);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: 'must be a DateTime, e.g. 2015-06-29T20:39:09Z' });
    return z.NEVER;
  }
  return formatOcpiDateTime(date);
});

/** DisplayText: language string(2) ISO 639-1, text string(512). */
export const displayTextSchema = z.object({
  language: z.string().length(2, 'must be an ISO 639-1 language code (2 characters)'),
  text: string211(512),
});
export type DisplayText = z.output<typeof displayTextSchema>;

export const ENERGY_SOURCE_CATEGORIES = ['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER'] as const;
export const ENVIRONMENTAL_IMPACT_CATEGORIES = ['NUCLEAR_WASTE', 'CARBON_DIOXIDE'] as const;

export const energySourceSchema = z.object({
  source: z.enum(ENERGY_SOURCE_CATEGORIES),
  percentage: z.number().min(0).max(100),
});

/** 2.1.1 names the category field `source` (2.2 renamed it `category`). */
export const environmentalImpactSchema = z.object({
  source: z.enum(ENVIRONMENTAL_IMPACT_CATEGORIES),
  amount: z.number().min(0),
});

export const energyMixSchema = z.object({
  is_green_energy: z.boolean(),
  energy_sources: list(energySourceSchema),
  environ_impact: list(environmentalImpactSchema),
  supplier_name: optional(string211(64)),
  energy_product_name: optional(string211(64)),
});
export type EnergyMix = z.output<typeof energyMixSchema>;

export const IMAGE_CATEGORIES = ['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER'] as const;

/** Image: `type` is a case-sensitive string(4) in 2.1.1 (a CiString(4) in 2.2.1). */
export const imageSchema = z.object({
  url: url211,
  thumbnail: optional(url211),
  category: z.enum(IMAGE_CATEGORIES),
  type: string211(4).min(1, 'must not be empty'),
  width: optional(z.number().int().min(0).max(99999)),
  height: optional(z.number().int().min(0).max(99999)),
});
export type Image = z.output<typeof imageSchema>;

export const businessDetailsSchema = z.object({
  name: string211(100).min(1, 'must not be empty'),
  website: optional(url211),
  logo: optional(imageSchema),
});
export type BusinessDetails = z.output<typeof businessDetailsSchema>;

/** GeoLocation (WGS84) as strings with exactly 6 decimals in 2.1.1 (2.2.1: 5 to 7). */
export const geoLocationSchema = z.object({
  latitude: string211(10).regex(/^-?[0-9]{1,2}\.[0-9]{6}$/, 'must be a latitude with exactly 6 decimals, e.g. 50.770774'),
  longitude: string211(11).regex(/^-?[0-9]{1,3}\.[0-9]{6}$/, 'must be a longitude with exactly 6 decimals, e.g. -126.104965'),
});
export type GeoLocation = z.output<typeof geoLocationSchema>;
