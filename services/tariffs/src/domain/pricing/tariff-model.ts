import { toDec, type Dec } from './decimal.js';
import type { DayOfWeek, PriceInput, ReservationRestrictionType, TariffDimensionType, TariffInput } from './types.js';

/*
 * Internal, pre-parsed form of a Tariff: every number already a Decimal, times of day in minutes,
 * so that matching never re-parses and never touches floats.
 */

export interface ParsedComponent {
  elementIndex: number;
  componentIndex: number;
  type: TariffDimensionType;
  price: Dec;
  /** null = no VAT applicable (absent in the tariff). */
  vat: Dec | null;
  stepSize: number;
}

export interface ParsedRestrictions {
  /** Minutes since local midnight; end `00:00` is stored as 1440 (end of day). */
  startMinute: number | null;
  endMinute: number | null;
  startDate: string | null;
  endDate: string | null;
  minKwh: Dec | null;
  maxKwh: Dec | null;
  minCurrent: Dec | null;
  maxCurrent: Dec | null;
  minPower: Dec | null;
  maxPower: Dec | null;
  minDurationS: number | null;
  maxDurationS: number | null;
  daysOfWeek: ReadonlySet<DayOfWeek> | null;
  reservation: ReservationRestrictionType | null;
}

export interface ParsedElement {
  index: number;
  components: ParsedComponent[];
  restrictions: ParsedRestrictions;
}

export interface ParsedPrice {
  exclVat: Dec;
  inclVat: Dec | null;
}

export interface ParsedTariff {
  id: string;
  currency: string;
  minPrice: ParsedPrice | null;
  maxPrice: ParsedPrice | null;
  elements: ParsedElement[];
  /** Some restriction is read in local time (time of day, date, weekday): a time zone is needed. */
  usesLocalTime: boolean;
}

const TIME_OF_DAY = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const DATE = /^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

function minuteOfDay(text: string, isEnd: boolean): number {
  const m = TIME_OF_DAY.exec(text);
  if (!m) throw new RangeError(`restriction time must be HH:MM, got ${text}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  // OCPI: "use 00:00 for end of day" — as an end bound midnight means 24:00.
  return isEnd && minutes === 0 ? 1440 : minutes;
}

function stepSize(value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`step_size must be a whole number >= 0, got ${value}`);
  return value;
}

function date(text: string): string {
  if (!DATE.test(text)) throw new RangeError(`restriction date must be YYYY-MM-DD, got ${text}`);
  return text; // zero-padded ISO dates compare correctly as strings
}

function optDec(v: number | string | null | undefined): Dec | null {
  return v === null || v === undefined ? null : toDec(v);
}

function price(p: PriceInput | null | undefined): ParsedPrice | null {
  if (!p) return null;
  return { exclVat: toDec(p.excl_vat), inclVat: optDec(p.incl_vat) };
}

export function parseTariff(tariff: TariffInput): ParsedTariff {
  const usesLocalTime = tariff.elements.some(({ restrictions: r }) =>
    Boolean(r && (r.start_time || r.end_time || r.start_date || r.end_date || (r.day_of_week && r.day_of_week.length > 0))),
  );
  return {
    usesLocalTime,
    id: tariff.id,
    currency: tariff.currency,
    minPrice: price(tariff.min_price),
    maxPrice: price(tariff.max_price),
    elements: tariff.elements.map((el, elementIndex) => {
      const r = el.restrictions ?? {};
      const days = r.day_of_week && r.day_of_week.length > 0 ? new Set(r.day_of_week) : null;
      return {
        index: elementIndex,
        components: el.price_components.map((c, componentIndex) => ({
          elementIndex,
          componentIndex,
          type: c.type,
          price: toDec(c.price),
          vat: optDec(c.vat),
          stepSize: stepSize(c.step_size),
        })),
        restrictions: {
          startMinute: r.start_time ? minuteOfDay(r.start_time, false) : null,
          endMinute: r.end_time ? minuteOfDay(r.end_time, true) : null,
          startDate: r.start_date ? date(r.start_date) : null,
          endDate: r.end_date ? date(r.end_date) : null,
          minKwh: optDec(r.min_kwh),
          maxKwh: optDec(r.max_kwh),
          minCurrent: optDec(r.min_current),
          maxCurrent: optDec(r.max_current),
          minPower: optDec(r.min_power),
          maxPower: optDec(r.max_power),
          minDurationS: r.min_duration ?? null,
          maxDurationS: r.max_duration ?? null,
          daysOfWeek: days,
          reservation: r.reservation ?? null,
        },
      };
    }),
  };
}
