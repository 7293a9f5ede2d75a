import { invalidArgument } from '@voltmesh/errors';

/**
 * A finance period: the half-open [start, end) on a CDR's end_date_time, both bounds as
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (so they compare as text with the stored, normalised CDR times).
 */
export interface Period {
  start: string;
  end: string;
}

/** The longest period one request may ask for (a leap year), in days. */
export const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const EXAMPLE = 'e.g. 2026-01-01T00:00:00Z';

/**
 * An RFC 3339 date-time (`Z` or a numeric offset) as a UTC instant at millisecond precision.
 * Digits beyond the millisecond round *up* to the next one: CDR times are whole milliseconds, so
 * "t ≥ start" and "t < end" then select exactly the CDRs the exact bounds would.
 */
export function parseInstant(text: string, field: string): Date {
  if (!text) throw invalidArgument(`${field}: required (an RFC 3339 date-time, ${EXAMPLE})`);
  const match = RFC3339.exec(text.trim());
  const bad = () => invalidArgument(`${field}: "${text}" is not an RFC 3339 date-time (${EXAMPLE})`);
  if (!match) throw bad();
  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHours, offsetMinutes] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) throw bad();
  let offset = 0;
  if (!zulu) {
    const [oh, om] = [Number(offsetHours), Number(offsetMinutes)];
    if (oh > 23 || om > 59) throw bad();
    offset = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0')) + (/[1-9]/.test(fraction.slice(3)) ? 1 : 0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999. 999 ms + 1 rolls over.
  const local = new Date(0);
  local.setUTCFullYear(y, mo - 1, d);
  local.setUTCHours(h, mi, s, millis);
  const date = new Date(local.getTime() - offset);
  if (Number.isNaN(date.getTime())) throw bad();
  return date;
}

/**
 * The period a request names: both bounds required, RFC 3339, end after start, at most
 * MAX_PERIOD_DAYS long. INVALID_ARGUMENT names the field at fault.
 */
export function parsePeriod(start: string, end: string, fields = { start: 'period_start', end: 'period_end' }): Period {
  const from = parseInstant(start, fields.start);
  const to = parseInstant(end, fields.end);
  if (to.getTime() <= from.getTime()) throw invalidArgument(`${fields.end}: must be after ${fields.start} (the period is [${fields.start}, ${fields.end}))`);
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) throw invalidArgument(`${fields.end}: a period spans at most ${MAX_PERIOD_DAYS} days`);
  return { start: from.toISOString(), end: to.toISOString() };
}

/** Whether a CDR that ended at `endDateTime` (normalised) belongs to the period. */
export const inPeriod = (period: Period, endDateTime: string): boolean => endDateTime >= period.start && endDateTime < period.end;
