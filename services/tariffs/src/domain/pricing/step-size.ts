import { Dec, ZERO } from './decimal.js';

/**
 * step_size rounding (REFERENCE §8.3 step 4): round `total` (in billing units: kWh or hours) UP to
 * a multiple of `stepSize` base units (Wh or seconds; `unitsPerQuantity` = 1000 or 3600) and
 * return the surplus to bill on top. Exact Decimal arithmetic: e.g. 0.0334 h = 120.24 s rounds to
 * 900 s = 0.25 h.
 *
 * No rounding for step_size <= 0 (the free-of-charge example uses 0) or for a total <= 0 (nothing
 * consumed, or net export: rounding a credit "up" has no meaning).
 */
export function stepSurplus(total: Dec, stepSize: number, unitsPerQuantity: number): Dec {
  if (!(stepSize > 0) || total.lte(0)) return ZERO;
  const step = new Dec(stepSize);
  // Measured in base units to a micro-unit: hours computed from milliseconds (ms / 3 600 000) do not
  // terminate, and a sum of such values must not tip 3600 s over into another whole step.
  const units = total.times(unitsPerQuantity).toDecimalPlaces(6, Dec.ROUND_HALF_UP);
  const rounded = units.div(step).ceil().times(step);
  return rounded.minus(units).div(unitsPerQuantity);
}

export const WH_PER_KWH = 1000;
export const SECONDS_PER_HOUR = 3600;
