import { formatOcpiDateTime as formatDate, parseOcpiDateTime as parseOcpiDateTimeOrUndefined } from '@voltmesh/ocpi';
import type { DayOfWeek } from './types.js';

/** Epoch milliseconds of an OCPI DateTime (UTC, no offset), by the one parser of libs/ocpi. */
export function parseOcpiDateTime(text: string): number {
  const date = parseOcpiDateTimeOrUndefined(text.trim());
  if (!date) throw new RangeError(`not an OCPI DateTime (UTC, no offset): ${text}`);
  return date.getTime();
}

export function formatOcpiDateTime(epochMs: number): string {
  return formatDate(new Date(epochMs));
}

export interface LocalParts {
  /** Local calendar date `YYYY-MM-DD`. */
  date: string;
  /** Seconds since local midnight, 0..86399. */
  secondsOfDay: number;
  weekday: DayOfWeek;
}


// Building a DateTimeFormat is costly; one per zone is enough.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown IANA zone, which is what we want (no silent UTC fallback).
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23', // avoids the "24:00" some engines produce with hour12: false
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of the zone's wall clock from UTC at `epochMs`, read from Intl (slow: ~µs per call). */
function offsetFromIntl(epochMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const p = parts.find((x) => x.type === type);
    if (!p) throw new Error(`Intl did not return ${type} for ${timeZone}`);
    return Number(p.value);
  };
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - epochMs; // callers pass whole seconds (quarter hours)
}

/*
 * Zone offsets only change on quarter-hour boundaries (true of every IANA zone since the 1970s), so
 * the offset is cached per zone and quarter hour; the local parts then follow by arithmetic. This
 * is most of the engine's speed. The cache is bounded: cleared when it grows past its size.
 */
const QUARTER_HOUR_MS = 900_000;
const OFFSET_CACHE_MAX = 100_000;
const offsets = new Map<string, number>();

function offsetAt(epochMs: number, timeZone: string): number {
  const quarter = Math.floor(epochMs / QUARTER_HOUR_MS);
  const key = `${timeZone}|${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = offsetFromIntl(quarter * QUARTER_HOUR_MS, timeZone);
    if (offsets.size >= OFFSET_CACHE_MAX) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

const WEEKDAY_BY_UTC_DAY: readonly DayOfWeek[] = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** Local wall-clock date, time and weekday of an instant in an IANA time zone. */
export function localParts(epochMs: number, timeZone: string): LocalParts {
  const wall = new Date(epochMs + offsetAt(epochMs, timeZone));
  const weekday = WEEKDAY_BY_UTC_DAY[wall.getUTCDay()];
  if (!weekday) throw new Error(`no weekday for ${wall.getUTCDay()}`);
  return {
    date: wall.toISOString().slice(0, 10),
    secondsOfDay: wall.getUTCHours() * 3600 + wall.getUTCMinutes() * 60 + wall.getUTCSeconds(),
    weekday,
  };
}

/** The local wall-clock reading of an instant, re-read as if it were UTC (its offset is the gap). */
function wallClockAsUtc(epochMs: number, timeZone: string): number {
  return epochMs + offsetAt(epochMs, timeZone);
}

/**
 * The instant at which the clock in `timeZone` shows `date` (YYYY-MM-DD) + `minuteOfDay` (may be
 * 1440, the next midnight). Two passes settle the offset; a wall time that does not exist (spring
 * forward) lands one offset away, which callers that only need "a boundary near there" accept.
 */
export function instantOfLocal(date: string, minuteOfDay: number, timeZone: string): number {
  const asUtc = Date.parse(`${date}T00:00:00Z`) + minuteOfDay * 60_000;
  let instant = asUtc - (wallClockAsUtc(asUtc, timeZone) - asUtc);
  instant = asUtc - (wallClockAsUtc(instant, timeZone) - instant);
  return instant;
}

/** `date` (YYYY-MM-DD) plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
