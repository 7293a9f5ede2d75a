import type { Dec } from './decimal.js';
import type { PeriodState } from './periods.js';
import type { ParsedRestrictions } from './tariff-model.js';

/*
 * Restriction matching (REFERENCE §8.2 TariffRestrictions, §8.3 step 2).
 *
 * All set restrictions are AND-ed and evaluated at ONE moment: the start of the charging period.
 * We deliberately do not split a period where a restriction would switch inside it (a 17:00
 * boundary, a kWh threshold reached mid-period):
 *  - OCPI obliges the CPO to open a new ChargingPeriod whenever another PriceComponent becomes
 *    active (REFERENCE §7.3, "Charging-period rule"), so a well-formed CDR has no such switch;
 *  - a proportional split would have to invent a constant-rate profile the data does not give;
 *  - the reference pricer that produced the golden CDRs evaluates at period start as well, and
 *    no golden case needs a split.
 *
 * The reservation restriction is not checked here: which elements may price a period depends on
 * whether the period is a reservation period (see element-select.ts).
 */

/** Time of day: [start, end) with wrap past midnight; end 00:00 means end of day (1440). */
function timeOfDayHolds(r: ParsedRestrictions, secondsOfDay: number): boolean {
  if (r.startMinute === null && r.endMinute === null) return true;
  const start = (r.startMinute ?? 0) * 60;
  const end = (r.endMinute ?? 1440) * 60;
  if (start < end) return secondsOfDay >= start && secondsOfDay < end;
  if (start > end) return secondsOfDay >= start || secondsOfDay < end; // e.g. 22:00–06:00
  return true; // start == end: the whole day
}

/**
 * Current and power: a min_* bound must hold for the lowest value in the period and a max_* bound
 * for the highest, so we prefer MIN_/MAX_ dimensions and fall back to the average.
 * Power may also be derived as ENERGY / TIME (kWh / h = kW) when no power dimension was sent.
 * If nothing is known the restriction does NOT hold: a restricted element is a special condition
 * that has to be shown to apply; the tariff's later (default) element then prices the period.
 */
function averagePower(p: PeriodState): Dec | null {
  if (p.power) return p.power;
  if (p.energy && p.time && p.time.gt(0)) return p.energy.div(p.time);
  return null;
}

function atLeast(value: Dec | null, bound: Dec | null): boolean {
  return bound === null || (value !== null && value.gte(bound));
}

function below(value: Dec | null, bound: Dec | null): boolean {
  return bound === null || (value !== null && value.lt(bound));
}

export function restrictionsHold(r: ParsedRestrictions, p: PeriodState): boolean {
  const { local, energySoFarKwh, sessionSeconds } = p.at;
  if (!timeOfDayHolds(r, local.secondsOfDay)) return false;
  // Dates are local; start inclusive, end exclusive.
  if (r.startDate !== null && local.date < r.startDate) return false;
  if (r.endDate !== null && local.date >= r.endDate) return false;
  if (r.daysOfWeek !== null && !r.daysOfWeek.has(local.weekday)) return false;
  // Energy "consumed so far" = before this period starts.
  if (!atLeast(energySoFarKwh, r.minKwh) || !below(energySoFarKwh, r.maxKwh)) return false;
  if (!atLeast(p.minCurrent ?? p.current, r.minCurrent)) return false;
  if (!below(p.maxCurrent ?? p.current, r.maxCurrent)) return false;
  if (!atLeast(p.minPower ?? averagePower(p), r.minPower)) return false;
  if (!below(p.maxPower ?? averagePower(p), r.maxPower)) return false;
  // Duration of the session so far, in seconds.
  if (r.minDurationS !== null && sessionSeconds < r.minDurationS) return false;
  if (r.maxDurationS !== null && sessionSeconds >= r.maxDurationS) return false;
  return true;
}
