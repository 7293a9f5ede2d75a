import { Dec, ZERO } from './decimal.js';
import { selectComponent, type PeriodKind } from './element-select.js';
import type { PeriodState } from './periods.js';
import { SECONDS_PER_HOUR, stepSurplus, WH_PER_KWH } from './step-size.js';
import type { ParsedComponent, ParsedTariff } from './tariff-model.js';
import type { CostBucket } from './types.js';

/** One priced (or free) quantity of one period. Costs are derived later from these. */
export interface Line {
  period: PeriodState;
  bucket: CostBucket;
  /** null = no element matched: the quantity is free. */
  component: ParsedComponent | null;
  /** kWh, hours, or 1 for FLAT. */
  quantity: Dec;
  /** Added by step_size rounding; non-zero on at most one line per rounded quantity. */
  surplus: Dec;
}

function line(period: PeriodState, bucket: CostBucket, component: ParsedComponent | null, quantity: Dec): Line {
  return { period, bucket, component, quantity, surplus: ZERO };
}

/** The once-per-session FLAT fees already billed by the earlier periods of the session. */
export interface FlatFeesBilled {
  charging: boolean;
  reservation: boolean;
}

/**
 * Builds the lines of one period (REFERENCE §8.3 steps 2–3), given what the earlier periods of the
 * session billed. Within a period the order is FLAT, ENERGY, TIME, PARKING_TIME: "last" for
 * step_size then means parking after charging. A period's lines depend only on the period and on
 * the session's state at its START (restrictions.ts), never on its end or on later periods.
 *
 * FLAT is billed once per session: it is looked up at the start of the first charging period
 * (a start/transaction fee). A reservation has its own once-off FLAT, looked up at the start of
 * its first period and reported as reservation cost (CDR total_fixed_cost excludes it).
 * `flat` is updated when this period bills one of them.
 */
export function periodLines(tariff: ParsedTariff, p: PeriodState, reservationExpired: boolean, flat: FlatFeesBilled): Line[] {
  const lines: Line[] = [];
  const kind: PeriodKind = p.isReservation ? (reservationExpired ? 'RESERVATION_EXPIRED' : 'RESERVATION') : 'CHARGING';
  const pick = (dimension: ParsedComponent['type']): ParsedComponent | null => selectComponent(tariff, dimension, p, kind);

  if (p.isReservation) {
    if (!flat.reservation) {
      flat.reservation = true;
      const fee = pick('FLAT');
      if (fee) lines.push(line(p, 'RESERVATION', fee, new Dec(1)));
    }
    // Reserved hours are priced by the reservation element's TIME component (§8.2).
    if (p.reservation) lines.push(line(p, 'RESERVATION', pick('TIME'), p.reservation));
    return lines;
  }

  if (!flat.charging) {
    flat.charging = true;
    const fee = pick('FLAT');
    if (fee) lines.push(line(p, 'FLAT', fee, new Dec(1)));
  }
  if (p.energy) lines.push(line(p, 'ENERGY', pick('ENERGY'), p.energy));
  if (p.time) lines.push(line(p, 'TIME', pick('TIME'), p.time));
  if (p.parking) lines.push(line(p, 'PARKING_TIME', pick('PARKING_TIME'), p.parking));
  return lines;
}

/*
 * step_size, once per session per quantity (REFERENCE §8.3 step 4). "The step_size uses the total
 * amount of a certain unit used during a session": the total is every line of the quantity,
 * including volume no element priced (it was still used), while the step and price come from the
 * LAST line that has a component, and the surplus is billed on that line at that price:
 *  - ENERGY: the session's energy, step (Wh) of the last priced energy line;
 *  - TIME and PARKING_TIME "combined", i.e. rounded once between them: when the session has any
 *    priced PARKING_TIME ("TIME and PARKING_TIME Tariff Elements are both used"), only the total
 *    parking duration is rounded, with the last parking step, and charging time is billed exactly
 *    (spec example: 5-min steps, 21 min charging + 7 min parked ⇒ 21 + 10 min). Otherwise the
 *    charging-time total is rounded with the last TIME step (also when parking exists but is free,
 *    e.g. no parking element after 20:00: the surplus lands on the last paid time-based line);
 *  - reservation time: its own quantity (it is neither charging nor parking), last reservation TIME
 *    step.
 * A step of 0 or a total <= 0 leaves the quantity as measured (step-size.ts).
 *
 * So all step_size needs of the session's lines is, per quantity, the running total and the last
 * priced component: a tally that grows period by period (and is carried in a live-pricing state),
 * turned into surpluses only when the session's totals are computed.
 */

/** The quantities step_size rounds; each is the CostBucket its lines report to. */
export type StepQuantity = 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'RESERVATION';
export const STEP_QUANTITIES: readonly StepQuantity[] = ['ENERGY', 'TIME', 'PARKING_TIME', 'RESERVATION'];

export interface StepTally {
  /** Sum of the quantity of every line, priced or not, in time order. */
  total: Dec;
  /** The component of the last priced line: its step rounds the total and its price bills the surplus. */
  last: ParsedComponent | null;
  /** That line itself, when it is at hand (a live-pricing state keeps only the component). */
  lastLine: Line | null;
}

export type StepTallies = Record<StepQuantity, StepTally>;

export function emptyStepTallies(): StepTallies {
  const empty = (): StepTally => ({ total: ZERO, last: null, lastLine: null });
  return { ENERGY: empty(), TIME: empty(), PARKING_TIME: empty(), RESERVATION: empty() };
}

/** The step_size quantity a line counts toward; null for FLAT fees (billed once, never rounded). */
function stepQuantityOf(l: Line): StepQuantity | null {
  if (l.bucket === 'FLAT' || l.component?.type === 'FLAT') return null;
  return l.bucket;
}

/** Adds lines (in time order) to the tallies. */
export function tallyLines(tallies: StepTallies, lines: readonly Line[]): void {
  for (const l of lines) {
    const quantity = stepQuantityOf(l);
    if (quantity === null) continue;
    const t = tallies[quantity];
    t.total = t.total.plus(l.quantity);
    if (l.component !== null) {
      t.last = l.component;
      t.lastLine = l;
    }
  }
}

/** A step_size surplus: how much more of `quantity` is billed, at `component`'s price. */
export interface StepSurplus {
  quantity: StepQuantity;
  component: ParsedComponent;
  surplus: Dec;
  /** The line that bills it, when at hand (see StepTally.lastLine). */
  line: Line | null;
}

function roundOnLastPriced(quantity: StepQuantity, t: StepTally, unitsPerQuantity: number): StepSurplus[] {
  if (!t.last) return [];
  return [{ quantity, component: t.last, surplus: stepSurplus(t.total, t.last.stepSize, unitsPerQuantity), line: t.lastLine }];
}

/** The session's step_size surpluses (at most three), by the rules above. */
export function stepSurpluses(tallies: StepTallies): StepSurplus[] {
  const timeBased: StepQuantity = tallies.PARKING_TIME.last !== null ? 'PARKING_TIME' : 'TIME';
  return [
    ...roundOnLastPriced('ENERGY', tallies.ENERGY, WH_PER_KWH),
    ...roundOnLastPriced(timeBased, tallies[timeBased], SECONDS_PER_HOUR),
    ...roundOnLastPriced('RESERVATION', tallies.RESERVATION, SECONDS_PER_HOUR),
  ];
}
