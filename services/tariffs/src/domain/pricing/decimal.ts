// Named import on purpose: decimal.js ships one CommonJS-flavoured .d.ts for both module systems,
// so under NodeNext the default import is typed as the whole module namespace (no `clone`,
// no `ROUND_HALF_UP`), while the ESM build exports `Decimal` by name as well.
import { Decimal } from 'decimal.js';

/**
 * The Decimal constructor used by the whole engine.
 *
 * Precision 40 significant digits: intermediate values such as 300 s / 3600 = 0.08333… hours do not
 * terminate, so we keep far more digits than the final 4 and let only the final rounding matter.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

/** Numbers arrive from JSON (number) or from callers that kept them as text (string). */
export type NumericInput = number | string;

/**
 * Parse an input number into a Decimal without ever doing float arithmetic on it.
 * `String(0.1)` is "0.1" (shortest round-trip form), so JSON numbers keep their written digits.
 */
export function toDec(value: NumericInput): Dec {
  const d = new Dec(typeof value === 'number' ? String(value) : value.trim());
  if (!d.isFinite()) throw new RangeError(`not a finite number: ${String(value)}`);
  return d;
}

export const ZERO: Dec = new Dec(0);

/**
 * THE rounding rule of the engine, applied once, to final outputs only:
 * 4 decimals (OCPI's default `number` precision), ROUND_HALF_UP (ties away from zero, so a
 * negative V2G credit rounds symmetrically to a positive charge).
 */
export const OUTPUT_DECIMALS = 4;

export function roundOutput(value: Dec): Dec {
  return value.toDecimalPlaces(OUTPUT_DECIMALS, Decimal.ROUND_HALF_UP);
}

/** Rounded and rendered as a fixed-point string, e.g. "5.5000". */
export function formatOutput(value: Dec): string {
  return roundOutput(value).toFixed(OUTPUT_DECIMALS);
}

export function sum(values: readonly Dec[]): Dec {
  return values.reduce<Dec>((acc, v) => acc.plus(v), ZERO);
}
