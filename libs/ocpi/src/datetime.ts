import { z } from 'zod';

/** OCPI DateTime: UTC, `Z` optional, fractions allowed, offsets never (`+00:00` is not UTC in OCPI). */
const OCPI_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?$/;

/** Parses an OCPI DateTime; undefined when the text is not one or names an impossible moment. */
export function parseOcpiDateTime(value: string): Date | undefined {
  const match = OCPI_DATETIME.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction] = match;
  const millis = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), millis));
  // Date.UTC rolls 2021-02-30 over to March: reject instead of guessing.
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return undefined;
  if (date.getUTCHours() !== Number(hour) || date.getUTCMinutes() !== Number(minute) || date.getUTCSeconds() !== Number(second)) return undefined;
  return date;
}

/** What we emit: always `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, milliseconds, Z). */
export function formatOcpiDateTime(date: Date): string {
  return date.toISOString();
}

/** Zod schema for an incoming OCPI DateTime, normalised to our emitted form. */
export const ocpiDateTime = z.string().transform((value, ctx) => {
  const date = parseOcpiDateTime(value);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: 'must be an OCPI DateTime in UTC, e.g. 2015-06-29T20:39:09Z (no offset)' });
    return z.NEVER;
  }
  return formatOcpiDateTime(date);
});
