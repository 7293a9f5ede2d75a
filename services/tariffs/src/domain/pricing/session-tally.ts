import { Dec, ZERO } from './decimal.js';
import { emptyStepTallies, periodLines, stepSurpluses, tallyLines, type FlatFeesBilled, type Line, type StepSurplus, type StepTallies } from './lines.js';
import type { PeriodState } from './periods.js';
import type { ParsedTariff } from './tariff-model.js';
import type { CostBucket } from './types.js';
import { addVat } from './vat.js';

/*
 * Everything a session's totals need of its periods, summed period by period in time order.
 * Pricing a session is folding its periods into a tally and then closing it (step_size surpluses,
 * min/max price, rounding): the same code whether all periods are given at once or the tally of
 * the settled periods is carried between live updates (live-state.ts). Because the fold is the
 * same, with the same Decimal operations in the same order, a resumed update gives exactly the
 * figures of pricing every period at once.
 */

export interface Money {
  exclVat: Dec;
  inclVat: Dec;
}

export const COST_BUCKETS: readonly CostBucket[] = ['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT', 'RESERVATION'];

export interface SessionTally {
  /** Periods folded in so far: the session index of the next one. */
  periodCount: number;
  /** Measured sums over every period (kWh, hours); `energy` is also the "energy so far" restrictions read. */
  energy: Dec;
  charging: Dec;
  parking: Dec;
  reservation: Dec;
  flat: FlatFeesBilled;
  /** Some period had a volume no element priced. */
  hasUnmatched: boolean;
  /** Cost of the lines per bucket and in all, before step_size surpluses and min/max price. */
  costs: Record<CostBucket, Money>;
  total: Money;
  steps: StepTallies;
}

const NO_MONEY: Money = { exclVat: ZERO, inclVat: ZERO };

export function emptyTally(): SessionTally {
  return {
    periodCount: 0,
    energy: ZERO,
    charging: ZERO,
    parking: ZERO,
    reservation: ZERO,
    flat: { charging: false, reservation: false },
    hasUnmatched: false,
    costs: { ENERGY: NO_MONEY, TIME: NO_MONEY, PARKING_TIME: NO_MONEY, FLAT: NO_MONEY, RESERVATION: NO_MONEY },
    total: NO_MONEY,
    steps: emptyStepTallies(),
  };
}

/** What a line costs: its billed volume (measured + step surplus) at its component's price. */
export function lineCost(l: Line): Money {
  if (!l.component) return NO_MONEY;
  const exclVat = l.quantity.plus(l.surplus).times(l.component.price);
  return { exclVat, inclVat: addVat(exclVat, l.component.vat) };
}

function plus(a: Money, b: Money): Money {
  return { exclVat: a.exclVat.plus(b.exclVat), inclVat: a.inclVat.plus(b.inclVat) };
}

export function isUnmatched(l: Line): boolean {
  return l.component === null && !l.quantity.isZero();
}

/**
 * Folds the next period of the session into the tally and returns its lines. The period's state at
 * its start (energy so far) must have been read from this tally (see price-session.ts).
 */
export function addPeriod(tally: SessionTally, tariff: ParsedTariff, p: PeriodState, reservationExpired: boolean): Line[] {
  const lines = periodLines(tariff, p, reservationExpired, tally.flat);
  tally.periodCount += 1;
  if (p.energy) tally.energy = tally.energy.plus(p.energy);
  if (p.time) tally.charging = tally.charging.plus(p.time);
  if (p.parking) tally.parking = tally.parking.plus(p.parking);
  if (p.reservation) tally.reservation = tally.reservation.plus(p.reservation);
  for (const l of lines) {
    const cost = lineCost(l);
    tally.costs[l.bucket] = plus(tally.costs[l.bucket], cost);
    tally.total = plus(tally.total, cost);
    if (isUnmatched(l)) tally.hasUnmatched = true;
  }
  tallyLines(tally.steps, lines);
  return lines;
}

export interface ClosedTally {
  costs: Record<CostBucket, Money>;
  /** Before min/max price. */
  total: Money;
  surpluses: StepSurplus[];
}

/**
 * The session's costs with the step_size surpluses billed (REFERENCE §8.3 step 4): each surplus at
 * its component's price, in the bucket of the line that carries it. A surplus line that is at hand
 * gets its surplus set, so that the breakdown shows it. The tally itself is left as it is.
 */
export function closeTally(tally: SessionTally): ClosedTally {
  const costs = { ...tally.costs };
  let total = tally.total;
  const surpluses = stepSurpluses(tally.steps);
  for (const s of surpluses) {
    if (s.surplus.isZero()) continue;
    const exclVat = s.surplus.times(s.component.price);
    const cost = { exclVat, inclVat: addVat(exclVat, s.component.vat) };
    costs[s.quantity] = plus(costs[s.quantity], cost);
    total = plus(total, cost);
    if (s.line) s.line.surplus = s.surplus;
  }
  return { costs, total, surpluses };
}
