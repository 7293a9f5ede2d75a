import { invalidArgument, isAppError } from '@voltmesh/errors';
import { formatOutput, ZERO, type Dec } from './decimal.js';
import type { Line, StepQuantity } from './lines.js';
import { openState, sealState, sessionDigest, type SettledSession } from './live-state.js';
import { formatOcpiDateTime, localParts, parseOcpiDateTime } from './local-time.js';
import { applyPriceLimits } from './price-limits.js';
import { hoursBetween, periodStarts, periodState, periodVolumes, type PeriodState } from './periods.js';
import { addPeriod, closeTally, emptyTally, isUnmatched, lineCost, type Money } from './session-tally.js';
import { parseTariff } from './tariff-model.js';
import type { LivePricingResult, MoneyOut, PeriodBreakdown, PricedLine, PriceLiveSessionInput, PriceSessionInput, PricingResult } from './types.js';

function money(m: Money): MoneyOut {
  return { excl_vat: formatOutput(m.exclVat), incl_vat: formatOutput(m.inclVat) };
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

function breakdown(p: PeriodState, lines: readonly Line[]): PeriodBreakdown {
  const costs = lines.map(lineCost);
  const sum = (pick: (m: Money) => Dec): Dec => costs.reduce<Dec>((acc, c) => acc.plus(pick(c)), ZERO);
  return {
    index: p.index,
    start_date_time: formatOcpiDateTime(p.startMs),
    end_date_time: formatOcpiDateTime(p.endMs),
    reservation: p.isReservation,
    unmatched: lines.filter(isUnmatched).map((l) => l.bucket),
    lines: lines.map(pricedLine),
    cost: money({ exclVat: sum((c) => c.exclVat), inclVat: sum((c) => c.inclVat) }),
  };
}

/** Everything before pricing proper: a bad input becomes INVALID_ARGUMENT, never a crash later. */
function prepare(input: PriceLiveSessionInput, keepState: boolean) {
  const startMs = parseOcpiDateTime(input.start_date_time);
  const endMs = parseOcpiDateTime(input.end_date_time);
  if (endMs < startMs) throw new RangeError('end_date_time is before start_date_time');

  const tariff = parseTariff(input.tariff);
  if (!input.time_zone && tariff.usesLocalTime) {
    throw new RangeError('time_zone is required: the tariff has restrictions in local time');
  }
  // Without local-time restrictions the zone changes nothing; UTC is then as good as any.
  const timeZone = input.time_zone ?? 'UTC';
  localParts(startMs, timeZone); // throws RangeError for an unknown IANA zone

  const reservationExpired = input.reservation_expired ?? false;
  const resumed = Boolean(input.state_json);
  // What a state belongs to; not needed (and not computed) when no state is read or made.
  const session = resumed || keepState ? sessionDigest(tariff, startMs, input.time_zone ?? null, reservationExpired) : '';
  const settled: SettledSession = input.state_json ? openState(input.state_json, session, tariff) : { tally: emptyTally(), settledEndMs: null };
  const firstIndex = settled.tally.periodCount;
  if (resumed && input.charging_periods.length === 0) {
    throw new RangeError(`a resumed update needs the periods from index ${firstIndex} on (state_period_count): none were given`);
  }

  const tariffId = tariff.id.toUpperCase(); // CiString: compared case-insensitively
  for (const [i, p] of input.charging_periods.entries()) {
    if (p.tariff_id && p.tariff_id.toUpperCase() !== tariffId) {
      throw new RangeError(`charging period ${firstIndex + i} is under tariff ${p.tariff_id}, not ${tariff.id}`);
    }
  }
  const starts = periodStarts(input.charging_periods, firstIndex, settled.settledEndMs);
  const volumes = input.charging_periods.map(periodVolumes);
  return { startMs, endMs, tariff, timeZone, reservationExpired, session, settled, starts, volumes };
}

/**
 * Prices the session: folds the given periods into the tally of the settled ones (none without a
 * state), then closes it. With `keepState` the tally is sealed as a state just before the last
 * period: every period but the last is settled, because the last one's end (and, while the session
 * runs, its volumes) still move.
 */
function price(input: PriceLiveSessionInput, keepState: boolean): LivePricingResult {
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(input, keepState);
  } catch (e) {
    if (isAppError(e)) throw e;
    throw invalidArgument(`cannot price this session: ${e instanceof Error ? e.message : String(e)}`, {
      tariff_id: input.tariff.id,
    });
  }
  const { startMs, endMs, tariff, timeZone, reservationExpired, session, settled, starts, volumes } = prepared;
  const { tally } = settled;

  let state = '';
  let statePeriodCount = 0;
  const seal = (settledEndMs: number | null): void => {
    if (!keepState) return;
    state = sealState(session, { tally, settledEndMs });
    statePeriodCount = tally.periodCount;
  };
  if (volumes.length === 0) seal(settled.settledEndMs);

  const priced: { period: PeriodState; lines: Line[] }[] = [];
  for (const [i, measured] of volumes.entries()) {
    const periodStartMs = starts[i] ?? startMs;
    if (i === volumes.length - 1) seal(periodStartMs);
    const period = periodState(measured, {
      index: tally.periodCount,
      startMs: periodStartMs,
      endMs: starts[i + 1] ?? endMs, // a period lasts until the next one starts
      sessionStartMs: startMs,
      timeZone,
      energySoFarKwh: tally.energy,
    });
    priced.push({ period, lines: addPeriod(tally, tariff, period, reservationExpired) });
  }

  const closed = closeTally(tally);
  const limited = applyPriceLimits(closed.total, tariff.minPrice, tariff.maxPrice);
  const surplus = (quantity: StepQuantity): Dec => closed.surpluses.find((s) => s.quantity === quantity)?.surplus ?? ZERO;

  const pricing: PricingResult = {
    tariff_id: input.tariff.id,
    currency: tariff.currency,
    total_cost: money({ exclVat: limited.exclVat.value, inclVat: limited.inclVat.value }),
    total_cost_before_limits: money(closed.total),
    price_limit: { excl_vat: limited.exclVat.limit, incl_vat: limited.inclVat.limit },
    total_energy_cost: money(closed.costs.ENERGY),
    total_time_cost: money(closed.costs.TIME),
    total_parking_cost: money(closed.costs.PARKING_TIME),
    total_fixed_cost: money(closed.costs.FLAT),
    total_reservation_cost: money(closed.costs.RESERVATION),
    total_energy: formatOutput(tally.energy),
    total_time: formatOutput(hoursBetween(startMs, endMs)),
    total_charging_time: formatOutput(tally.charging),
    total_parking_time: formatOutput(tally.parking),
    total_reservation_time: formatOutput(tally.reservation),
    billed_energy: formatOutput(tally.energy.plus(surplus('ENERGY'))),
    billed_charging_time: formatOutput(tally.charging.plus(surplus('TIME'))),
    billed_parking_time: formatOutput(tally.parking.plus(surplus('PARKING_TIME'))),
    billed_reservation_time: formatOutput(tally.reservation.plus(surplus('RESERVATION'))),
    has_unmatched: tally.hasUnmatched,
    // After closeTally: a step surplus on one of these lines is set by now.
    periods: priced.map(({ period, lines }) => breakdown(period, lines)),
  };
  return { pricing, state_json: state, state_period_count: statePeriodCount };
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
  return price({ ...input, state_json: null }, false).pricing;
}

/**
 * Live pricing of a growing session, at a cost per update that does not depend on how many periods
 * came before. Every update returns a `state_json` that settles all periods but the last; the next
 * update passes it back with only the periods from `state_period_count` on, and gets exactly the
 * totals (and state) that pricing all periods at once would give: restrictions are read at each
 * period's start, so settled periods never change (session-tally.ts, live-state.ts).
 *
 * The totals are the whole session's; `pricing.periods` holds only the periods given. A step_size
 * surplus billed on a settled period's line is in the totals but in no breakdown of this update.
 *
 * A state that is malformed, altered, of another version or of another tariff/start/zone, periods
 * starting before the end of the settled ones, or a resumed update without periods are
 * INVALID_ARGUMENT (the caller then prices the whole session again without state_json).
 */
export function priceSessionLive(input: PriceLiveSessionInput): LivePricingResult {
  return price(input, true);
}
