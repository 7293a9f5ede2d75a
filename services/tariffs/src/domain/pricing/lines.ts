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

/**
 * Builds the lines of every period (REFERENCE §8.3 steps 2–3). Within a period the order is FLAT,
 * ENERGY, TIME, PARKING_TIME: "last" for step_size then means parking after charging.
 *
 * FLAT is billed once per session: it is looked up at the start of the first charging period
 * (a start/transaction fee). A reservation has its own once-off FLAT, looked up at the start of
 * its first period and reported as reservation cost (CDR total_fixed_cost excludes it).
 */
export function buildLines(tariff: ParsedTariff, periods: readonly PeriodState[], reservationExpired: boolean): Line[] {
  const lines: Line[] = [];
  let chargingFlatDone = false;
  let reservationFlatDone = false;
  const one = new Dec(1);

  for (const p of periods) {
    const kind: PeriodKind = p.isReservation ? (reservationExpired ? 'RESERVATION_EXPIRED' : 'RESERVATION') : 'CHARGING';
    const pick = (dimension: ParsedComponent['type']): ParsedComponent | null =>
      selectComponent(tariff, dimension, p, kind);

    if (p.isReservation) {
      if (!reservationFlatDone) {
        reservationFlatDone = true;
        const flat = pick('FLAT');
        if (flat) lines.push(line(p, 'RESERVATION', flat, one));
      }
      // Reserved hours are priced by the reservation element's TIME component (§8.2).
      if (p.reservation) lines.push(line(p, 'RESERVATION', pick('TIME'), p.reservation));
      continue;
    }

    if (!chargingFlatDone) {
      chargingFlatDone = true;
      const flat = pick('FLAT');
      if (flat) lines.push(line(p, 'FLAT', flat, one));
    }
    if (p.energy) lines.push(line(p, 'ENERGY', pick('ENERGY'), p.energy));
    if (p.time) lines.push(line(p, 'TIME', pick('TIME'), p.time));
    if (p.parking) lines.push(line(p, 'PARKING_TIME', pick('PARKING_TIME'), p.parking));
  }
  return lines;
}

/**
 * Rounds one quantity of the session up to the step of its LAST relevant price component and bills
 * the surplus on that line, at that component's price (REFERENCE §8.3 step 4). "The step_size uses
 * the total amount of a certain unit used during a session": the total is every line of the
 * quantity, including volume no element priced (it was still used), while the step and price come
 * from the last line that has a component. Lines are in time order, so `at(-1)` is the last one.
 */
function roundOnLastPricedLine(quantityLines: readonly Line[], unitsPerQuantity: number): void {
  const last = quantityLines.filter((l) => l.component !== null).at(-1);
  if (!last?.component) return;
  const total = quantityLines.reduce<Dec>((acc, l) => acc.plus(l.quantity), ZERO);
  last.surplus = stepSurplus(total, last.component.stepSize, unitsPerQuantity);
}

/**
 * step_size, once per session per quantity (mutates the surplus of at most three lines):
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
 */
export function applyStepSizes(lines: readonly Line[]): void {
  const of = (bucket: CostBucket): Line[] => lines.filter((l) => l.bucket === bucket && l.component?.type !== 'FLAT');
  roundOnLastPricedLine(of('ENERGY'), WH_PER_KWH);
  const parking = of('PARKING_TIME');
  const timeBased = parking.some((l) => l.component !== null) ? parking : of('TIME');
  roundOnLastPricedLine(timeBased, SECONDS_PER_HOUR);
  roundOnLastPricedLine(of('RESERVATION'), SECONDS_PER_HOUR);
}
