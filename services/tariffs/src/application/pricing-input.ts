import { z } from 'zod';
import { invalidArgument } from '@voltmesh/errors';
import { formatOcpiDateTime, ocpiDateTime, optional, parseOcpiDateTime } from '@voltmesh/ocpi';

/*
 * The pricing RPCs' inputs, parsed at the edge so that a bad one is INVALID_ARGUMENT naming
 * its field (the engine would refuse it too, but in its own words).
 */

/** A quantity: a JSON number as OCPI sends it, or a decimal string from callers that keep text. */
const volume = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number')]);

const chargingPeriodSchema = z.object({
  start_date_time: ocpiDateTime,
  dimensions: z.array(z.object({ type: z.string().min(1), volume })),
  tariff_id: optional(z.string()),
});

export const chargingPeriodsSchema = z.array(chargingPeriodSchema);

/** The CDR fields pricing reads; the rest of the CDR is not ours to check here. */
export const cdrSchema = z.object({
  start_date_time: ocpiDateTime,
  end_date_time: ocpiDateTime,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code'),
  charging_periods: chargingPeriodsSchema,
  // OCPI 2.2.1's CdrLocation has no time_zone; some platforms add it, and we use it when present.
  cdr_location: optional(z.looseObject({ time_zone: optional(z.string()) })),
});

/** An instant as OCPI DateTime (UTC, `Z` optional) or RFC 3339 with an offset; returned in OCPI form. */
export function instantField(value: string, field: string): string {
  if (!value) throw invalidArgument(`${field}: required`);
  const date = parseOcpiDateTime(value) ?? (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/.test(value) ? new Date(value) : undefined);
  if (!date || Number.isNaN(date.getTime())) throw invalidArgument(`${field}: must be an RFC 3339 date-time, e.g. 2026-01-01T10:00:00Z`);
  return formatOcpiDateTime(date);
}

// Building an Intl.DateTimeFormat to check a zone costs about half a millisecond, more than a live
// pricing update itself: zones already found valid are remembered (a bounded set).
const knownZones = new Set<string>();
const KNOWN_ZONES_MAX = 1_000;

/** An IANA time zone, or undefined when empty (the engine then requires none or refuses). */
export function timeZoneField(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  if (knownZones.has(value)) return value;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw invalidArgument(`${field}: unknown IANA time zone ${value}`);
  }
  if (knownZones.size >= KNOWN_ZONES_MAX) knownZones.clear();
  knownZones.add(value);
  return value;
}

/** A non-negative decimal string (kWh, kW). */
export function decimalField(value: string, field: string): string {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) throw invalidArgument(`${field}: must be a non-negative decimal number, e.g. 12.5`);
  return value.trim();
}
