/**
 * Exact decimal arithmetic for money and quantities, on BigInt: a value is `units × 10^-scale`.
 * Billing adds, subtracts, negates and compares figures that arrive as decimal strings (the
 * price engine's) or as JSON numbers (a partner's CDR); none of that may go through float sums.
 * Rounding happens only where a caller asks for it (`toFixed`), half away from zero.
 */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal string such as "12.5", "-0.0250" or "1e-7"; undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return undefined;
  let units = BigInt(`${whole}${fraction}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
}

/** Like parseDecimal, for figures that must be decimals (the caller names what it is). */
export function decimal(text: string, what: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new RangeError(`${what}: "${text}" is not a decimal number`);
  return value;
}

/**
 * A JSON number as the decimal it was written as: `String(n)` is the shortest text that reads
 * back as the same double, so 3.025 is exactly 3.025 here (never 3.02499999…).
 */
export function fromNumber(value: number): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return decimal(String(value), 'number');
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export function subtract(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

export function negate(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale };
}

export function abs(a: Decimal): Decimal {
  return a.units < 0n ? negate(a) : a;
}

/** -1, 0 or 1. */
export function compare(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce(add, ZERO);
}

/** n / d as an integer, rounded half away from zero. */
function divideRounded(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  const negative = n < 0n !== d < 0n;
  const [x, y] = [n < 0n ? -n : n, d < 0n ? -d : d];
  const rounded = (2n * x + y) / (2n * y);
  return negative ? -rounded : rounded;
}

/** numerator / denominator, rounded half away from zero to `places` decimals. */
export function ratio(numerator: bigint, denominator: bigint, places: number): Decimal {
  return { units: divideRounded(numerator * 10n ** BigInt(places), denominator), scale: places };
}

/** Rounded half away from zero to `places` decimals. */
export function round(a: Decimal, places: number): Decimal {
  if (a.scale <= places) return { units: a.units * 10n ** BigInt(places - a.scale), scale: places };
  return { units: divideRounded(a.units, 10n ** BigInt(a.scale - places)), scale: places };
}

/** Fixed-point text with exactly `places` decimals (rounded half away from zero); never "-0.00". */
export function toFixed(a: Decimal, places: number): string {
  const rounded = round(a, places);
  const negative = rounded.units < 0n;
  const digits = (negative ? -rounded.units : rounded.units).toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return negative ? `-${text}` : text;
}

/** The shortest plain text of the exact value: "3.025", "-12", "0". */
export function toPlain(a: Decimal): string {
  if (a.units === 0n) return '0';
  const text = toFixed(a, a.scale);
  return a.scale === 0 ? text : text.replace(/\.?0+$/, '');
}

/**
 * The JSON number OCPI carries. Exact for the figures billing handles (at most 15 significant
 * digits): JSON.stringify prints it back as `toPlain`.
 */
export function toNumber(a: Decimal): number {
  const value = Number(toPlain(a));
  return Object.is(value, -0) ? 0 : value;
}
