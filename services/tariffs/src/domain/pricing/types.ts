import type { NumericInput } from './decimal.js';

/*
 * Input model. The tariff side is the subset of the OCPI 2.2.1 Tariff the engine reads, written
 * structurally so that a `Tariff` parsed by `tariffSchema` of @voltmesh/ocpi is accepted as is
 * (golden.test.ts passes exactly such objects, so the compiler checks that). Numbers may also be
 * decimal strings, for callers that kept money as text; optional fields accept absent or null
 * (REFERENCE §14.11). The engine turns every number into a Decimal at its boundary.
 */

export type TariffDimensionType = 'ENERGY' | 'FLAT' | 'PARKING_TIME' | 'TIME';

export type DayOfWeek = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

export type ReservationRestrictionType = 'RESERVATION' | 'RESERVATION_EXPIRES';

export interface PriceInput {
  excl_vat: NumericInput;
  incl_vat?: NumericInput | null;
}

export interface PriceComponentInput {
  type: TariffDimensionType;
  /** Per unit (kWh, hour, or once for FLAT), excluding VAT. */
  price: NumericInput;
  /** VAT percentage; absent/null means "no VAT applicable" (which is not the same as 0). */
  vat?: NumericInput | null;
  /** Billing granularity in Wh (ENERGY) or seconds (TIME, PARKING_TIME); ignored for FLAT. */
  step_size: number;
}

export interface TariffRestrictionsInput {
  start_time?: string | null;
  end_time?: string | null;
  start_date?: string | null;
  end_date?: string | null;
  min_kwh?: NumericInput | null;
  max_kwh?: NumericInput | null;
  min_current?: NumericInput | null;
  max_current?: NumericInput | null;
  min_power?: NumericInput | null;
  max_power?: NumericInput | null;
  min_duration?: number | null;
  max_duration?: number | null;
  day_of_week?: readonly DayOfWeek[] | null;
  reservation?: ReservationRestrictionType | null;
}

export interface TariffElementInput {
  price_components: readonly PriceComponentInput[];
  restrictions?: TariffRestrictionsInput | null;
}

export interface TariffInput {
  id: string;
  currency: string;
  min_price?: PriceInput | null;
  max_price?: PriceInput | null;
  elements: readonly TariffElementInput[];
}

export type CdrDimensionType =
  | 'CURRENT'
  | 'ENERGY'
  | 'ENERGY_EXPORT'
  | 'ENERGY_IMPORT'
  | 'MAX_CURRENT'
  | 'MIN_CURRENT'
  | 'MAX_POWER'
  | 'MIN_POWER'
  | 'PARKING_TIME'
  | 'POWER'
  | 'RESERVATION_TIME'
  | 'STATE_OF_CHARGE'
  | 'TIME';

export interface CdrDimension {
  /** Unknown (vendor / future) types are tolerated and ignored by the engine. */
  type: CdrDimensionType | (string & {});
  volume: NumericInput;
}

export interface ChargingPeriod {
  /** OCPI DateTime (UTC, `Z` optional). The period lasts until the next period's start. */
  start_date_time: string;
  dimensions: readonly CdrDimension[];
  /** When present it must name the tariff being priced (the engine prices one tariff). */
  tariff_id?: string | null;
}

export interface PriceSessionInput {
  tariff: TariffInput;
  charging_periods: readonly ChargingPeriod[];
  /** Session (or reservation) start and end, OCPI DateTime. */
  start_date_time: string;
  end_date_time: string;
  /**
   * IANA zone of the Location (Location.time_zone), in which start/end time, dates and
   * day_of_week are read. Required when the tariff has any of those restrictions (we never guess
   * a zone); otherwise it changes nothing and may be left out.
   */
  time_zone?: string | null;
  /**
   * True when the session is a reservation that expired without charging: reservation periods are
   * then priced by RESERVATION_EXPIRES elements first (falling back to RESERVATION elements).
   */
  reservation_expired?: boolean | null;
}

/** A live update of a growing session (see priceSessionLive). */
export interface PriceLiveSessionInput extends PriceSessionInput {
  /**
   * The `state_json` of this session's previous update (same tariff, start, zone and
   * reservation_expired). `charging_periods` then holds only the periods from that update's
   * `state_period_count` on. Absent, null or empty: `charging_periods` is the whole session.
   */
  state_json?: string | null;
}

/** The CDR fields the engine reads (OCPI 2.2.1 CDR; CdrLocation carries no time zone). */
export interface CdrInput {
  start_date_time: string;
  end_date_time: string;
  currency: string;
  charging_periods: readonly ChargingPeriod[];
}

export interface PriceCdrOptions {
  /** The Location's time_zone; see PriceSessionInput.time_zone. */
  time_zone?: string | null;
  reservation_expired?: boolean | null;
}

/** A planned charge, priced before it happens (e.g. a price shown in an app). */
export interface PreviewPriceInput {
  tariff: TariffInput;
  /** Plug-in time, OCPI DateTime. */
  start_date_time: string;
  /** IANA zone of the Location; see PriceSessionInput.time_zone. */
  time_zone?: string | null;
  /** Energy the driver wants. */
  energy_kwh: NumericInput;
  /** Whole stay at the charger (charging, then parking), in minutes. */
  duration_minutes: number;
  /**
   * Constant charging power. The car charges at this power until `energy_kwh` is delivered and
   * then parks for the rest of the stay; energy that does not fit in the stay is not delivered
   * (see `PreviewPriceResult.delivered_energy_kwh`). Absent: the energy is spread evenly over the
   * whole stay (no parking).
   */
  max_power_kw?: NumericInput | null;
  /** Current summed over phases while charging, for min/max_current restrictions; absent: unknown. */
  max_current_a?: NumericInput | null;
}

/* ------------------------------------------------------------------------------------------ */
/* Output model. All numbers are strings rendered from Decimal, rounded once (see decimal.ts). */

export interface MoneyOut {
  excl_vat: string;
  incl_vat: string;
}

/** Where a priced quantity is reported; reservation TIME/FLAT go to RESERVATION, not TIME/FLAT. */
export type CostBucket = 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'FLAT' | 'RESERVATION';

export interface PricedLine {
  bucket: CostBucket;
  /** False: no tariff element prices this dimension at this moment, so it costs 0. */
  matched: boolean;
  /** Index in `tariff.elements` / `price_components` of the component used; null when unmatched. */
  element_index: number | null;
  component_index: number | null;
  component_type: TariffDimensionType | null;
  price: string | null;
  vat: string | null;
  /** Measured quantity from the period (kWh or hours; 1 for FLAT). */
  volume: string;
  /** Extra quantity added here by step_size rounding (this line holds the last relevant component). */
  step_surplus: string;
  /** volume + step_surplus. */
  billed_volume: string;
  cost: MoneyOut;
}

export interface PeriodBreakdown {
  index: number;
  start_date_time: string;
  end_date_time: string;
  reservation: boolean;
  /** Dimensions that carried a volume in this period but matched no tariff element (billed 0). */
  unmatched: CostBucket[];
  lines: PricedLine[];
  /** Sum of the lines (before min/max price). */
  cost: MoneyOut;
}

export type PriceLimit = 'MIN_PRICE' | 'MAX_PRICE';

export interface PricingResult {
  tariff_id: string;
  currency: string;
  /** After the min/max clamp: what the driver pays. */
  total_cost: MoneyOut;
  /** Sum of the dimension costs before the clamp (the dimension totals below add up to this). */
  total_cost_before_limits: MoneyOut;
  /** Which bound changed the total, separately for excl and incl VAT. */
  price_limit: { excl_vat: PriceLimit | null; incl_vat: PriceLimit | null };
  total_energy_cost: MoneyOut;
  total_time_cost: MoneyOut;
  total_parking_cost: MoneyOut;
  total_fixed_cost: MoneyOut;
  total_reservation_cost: MoneyOut;
  /** Measured: kWh, and hours (total_time = whole session, end - start). */
  total_energy: string;
  total_time: string;
  total_charging_time: string;
  total_parking_time: string;
  total_reservation_time: string;
  /** After step_size rounding. */
  billed_energy: string;
  billed_charging_time: string;
  billed_parking_time: string;
  billed_reservation_time: string;
  /** True when some period had a volume that no tariff element priced (see PeriodBreakdown.unmatched). */
  has_unmatched: boolean;
  periods: PeriodBreakdown[];
}

export interface PreviewPriceResult extends PricingResult {
  /** What was priced: the periods synthesized for the planned charge. */
  charging_periods: ChargingPeriod[];
  end_date_time: string;
  /** Energy that fits in the stay at max_power_kw (≤ energy_kwh). */
  delivered_energy_kwh: string;
}

export interface LivePricingResult {
  /** Totals of the whole session; `periods` only the periods given in this update. */
  pricing: PricingResult;
  /** Opaque and compact (its size does not grow with the session): pass it to the next update. */
  state_json: string;
  /** The periods the state settled (all but the last): the next update sends the periods from this index on. */
  state_period_count: number;
}
