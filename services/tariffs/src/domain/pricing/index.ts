/*
 * The tariff price engine: pure OCPI 2.2.1 pricing, no I/O. Import only from this file.
 * Rules and the spec ambiguities we resolved are stated where they are implemented: restrictions
 * (restrictions.ts), element choice (element-select.ts), step_size (lines.ts, step-size.ts),
 * min/max price (price-limits.ts), rounding (decimal.ts); live pricing of a growing session from a
 * carried state (price-session.ts priceSessionLive, session-tally.ts, live-state.ts).
 */
export { priceSession, priceSessionLive } from './price-session.js';
export { priceCdr } from './price-cdr.js';
export { previewPrice } from './preview.js';
export type {
  CdrDimension,
  CdrDimensionType,
  CdrInput,
  ChargingPeriod,
  CostBucket,
  DayOfWeek,
  LivePricingResult,
  MoneyOut,
  PeriodBreakdown,
  PriceCdrOptions,
  PriceComponentInput,
  PricedLine,
  PriceInput,
  PriceLiveSessionInput,
  PriceLimit,
  PreviewPriceInput,
  PreviewPriceResult,
  PriceSessionInput,
  PricingResult,
  ReservationRestrictionType,
  TariffDimensionType,
  TariffElementInput,
  TariffInput,
  TariffRestrictionsInput,
} from './types.js';
export type { NumericInput } from './decimal.js';
