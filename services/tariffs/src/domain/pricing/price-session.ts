import { invalidArgument, isAppError } from '@voltmesh/errors';
import { Dec, formatOutput, sum, ZERO } from './decimal.js';
import { applyStepSizes, buildLines, type Line } from './lines.js';
import { formatOcpiDateTime, localParts, parseOcpiDateTime } from './local-time.js';
import { applyPriceLimits } from './price-limits.js';
import { buildPeriods, hoursBetween, type PeriodState } from './periods.js';
import { parseTariff } from './tariff-model.js';
import type { CostBucket, MoneyOut, PeriodBreakdown, PricedLine, PriceSessionInput, PricingResult } from './types.js';
import { addVat } from './vat.js';

interface Money {
  exclVat: Dec;
  inclVat: Dec;
}

function lineCost(l: Line): Money {
  if (!l.component) return { exclVat: ZERO, inclVat: ZERO };
  const exclVat = l.quantity.plus(l.surplus).times(l.component.price);
  return { exclVat, inclVat: addVat(exclVat, l.component.vat) };
}

function totalOf(lines: readonly Line[]): Money {
  const costs = lines.map(lineCost);
  return { exclVat: sum(costs.map((c) => c.exclVat)), inclVat: sum(costs.map((c) => c.inclVat)) };
}

function money(m: Money): MoneyOut {
  return { excl_vat: formatOutput(m.exclVat), incl_vat: formatOutput(m.inclVat) };
}

function isUnmatched(l: Line): boolean {
  return l.component === null && !l.quantity.isZero();
}

function pricedLine(l: Line): PricedLine {
  return {
    bucket: l.bucket,
    matched: l.component !== null,
    element_index: l.component?.elementIndex ?? null,
    component_index: l.component?.componentIndex ?? null,
    component_type: l.component?.type ?? null,
    price: l.component ? l.component.price.toString() : null,
    vat: l.component?.vat ? l.component.vat.toString() : null,
    volume: formatOutput(l.quantity),
    step_surplus: formatOutput(l.surplus),
    billed_volume: formatOutput(l.quantity.plus(l.surplus)),
    cost: money(lineCost(l)),
  };
}

function breakdown(periods: readonly PeriodState[], lines: readonly Line[]): PeriodBreakdown[] {
  const byPeriod = new Map<PeriodState, Line[]>(periods.map((p) => [p, []]));
  for (const l of lines) byPeriod.get(l.period)?.push(l);
  return periods.map((p) => {
    const own = byPeriod.get(p) ?? [];
    return {
      index: p.index,
      start_date_time: formatOcpiDateTime(p.startMs),
      end_date_time: formatOcpiDateTime(p.endMs),
      reservation: p.isReservation,
      unmatched: own.filter(isUnmatched).map((l) => l.bucket),
      lines: own.map(pricedLine),
      cost: money(totalOf(own)),
    };
  });
}

/** Everything before pricing proper: a bad input becomes INVALID_ARGUMENT, never a crash later. */
function prepare(input: PriceSessionInput) {
  const startMs = parseOcpiDateTime(input.start_date_time);
  const endMs = parseOcpiDateTime(input.end_date_time);
  if (endMs < startMs) throw new RangeError('end_date_time is before start_date_time');

  const tariff = parseTariff(input.tariff);
  const tariffId = tariff.id.toUpperCase(); // CiString: compared case-insensitively
  for (const [i, p] of input.charging_periods.entries()) {
    if (p.tariff_id && p.tariff_id.toUpperCase() !== tariffId) {
      throw new RangeError(`charging period ${i} is under tariff ${p.tariff_id}, not ${tariff.id}`);
    }
  }
  if (!input.time_zone && tariff.usesLocalTime) {
    throw new RangeError('time_zone is required: the tariff has restrictions in local time');
  }
  // Without local-time restrictions the zone changes nothing; UTC is then as good as any.
  const timeZone = input.time_zone ?? 'UTC';
  localParts(startMs, timeZone); // throws RangeError for an unknown IANA zone
  const periods = buildPeriods(input.charging_periods, startMs, endMs, timeZone);
  return { startMs, endMs, tariff, periods };
}

/**
 * Prices one session (or CDR) with one tariff, following REFERENCE §8.3. Pure: no I/O, no clock.
 *
 * Money and billed quantities are Decimal throughout and every output figure is rounded ONCE,
 * from the unrounded value, by the rule in decimal.ts (4 decimals, half away from zero). So a
 * rounded total may differ by 0.0001 from the sum of separately rounded parts.
 *
 * Bad input (unparseable number or DateTime, unknown zone, a period under another tariff…)
 * throws an AppError INVALID_ARGUMENT.
 */
export function priceSession(input: PriceSessionInput): PricingResult {
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(input);
  } catch (e) {
    if (isAppError(e)) throw e;
    throw invalidArgument(`cannot price this session: ${e instanceof Error ? e.message : String(e)}`, {
      tariff_id: input.tariff.id,
    });
  }
  const { startMs, endMs, tariff, periods } = prepared;
  const lines = buildLines(tariff, periods, input.reservation_expired ?? false);
  applyStepSizes(lines);

  const beforeLimits = totalOf(lines);
  const limited = applyPriceLimits(beforeLimits, tariff.minPrice, tariff.maxPrice);

  const bucketTotal = (bucket: CostBucket): MoneyOut => money(totalOf(lines.filter((l) => l.bucket === bucket)));
  const measured = (pick: (p: PeriodState) => Dec | null): Dec => sum(periods.map((p) => pick(p) ?? ZERO));
  const surplus = (bucket: CostBucket): Dec =>
    sum(lines.filter((l) => l.bucket === bucket && l.component?.type !== 'FLAT').map((l) => l.surplus));
  const energy = measured((p) => p.energy);
  const charging = measured((p) => p.time);
  const parking = measured((p) => p.parking);
  const reserved = measured((p) => p.reservation);

  return {
    tariff_id: input.tariff.id,
    currency: tariff.currency,
    total_cost: money({ exclVat: limited.exclVat.value, inclVat: limited.inclVat.value }),
    total_cost_before_limits: money(beforeLimits),
    price_limit: { excl_vat: limited.exclVat.limit, incl_vat: limited.inclVat.limit },
    total_energy_cost: bucketTotal('ENERGY'),
    total_time_cost: bucketTotal('TIME'),
    total_parking_cost: bucketTotal('PARKING_TIME'),
    total_fixed_cost: bucketTotal('FLAT'),
    total_reservation_cost: bucketTotal('RESERVATION'),
    total_energy: formatOutput(energy),
    total_time: formatOutput(hoursBetween(startMs, endMs)),
    total_charging_time: formatOutput(charging),
    total_parking_time: formatOutput(parking),
    total_reservation_time: formatOutput(reserved),
    billed_energy: formatOutput(energy.plus(surplus('ENERGY'))),
    billed_charging_time: formatOutput(charging.plus(surplus('TIME'))),
    billed_parking_time: formatOutput(parking.plus(surplus('PARKING_TIME'))),
    billed_reservation_time: formatOutput(reserved.plus(surplus('RESERVATION'))),
    has_unmatched: lines.some(isUnmatched),
    periods: breakdown(periods, lines),
  };
}
