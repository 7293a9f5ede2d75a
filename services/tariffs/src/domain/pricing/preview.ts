import { invalidArgument, isAppError } from '@voltmesh/errors';
import { Dec, formatOutput, toDec } from './decimal.js';
import { addDays, formatOcpiDateTime, instantOfLocal, localParts, parseOcpiDateTime } from './local-time.js';
import { priceSession } from './price-session.js';
import { parseTariff, type ParsedTariff } from './tariff-model.js';
import type { CdrDimension, ChargingPeriod, PreviewPriceInput, PreviewPriceResult } from './types.js';

const MS_PER_HOUR = 3_600_000;

interface Plan {
  periods: ChargingPeriod[];
  endMs: number;
  delivered: Dec;
}

/**
 * Every instant inside (start, end) at which some restriction of the tariff could switch on or off
 * for this plan. Extra boundaries are harmless (step_size works on session totals, FLAT is billed
 * once), missing ones would misprice, so we are generous: every start/end time and every local
 * midnight on every local day the stay touches.
 */
function switchInstants(tariff: ParsedTariff, startMs: number, endMs: number, timeZone: string, kwhToMs: (kwh: Dec) => number | null): number[] {
  const out: number[] = [];
  const minutes = new Set<number>([0]);
  for (const { restrictions: r } of tariff.elements) {
    if (r.startMinute !== null) minutes.add(r.startMinute);
    if (r.endMinute !== null) minutes.add(r.endMinute);
    for (const seconds of [r.minDurationS, r.maxDurationS]) if (seconds !== null) out.push(startMs + seconds * 1000);
    for (const kwh of [r.minKwh, r.maxKwh]) {
      const at = kwh === null ? null : kwhToMs(kwh);
      if (at !== null) out.push(at);
    }
  }
  const lastDay = addDays(localParts(endMs, timeZone).date, 1);
  for (let day = addDays(localParts(startMs, timeZone).date, -1); day <= lastDay; day = addDays(day, 1)) {
    for (const minute of minutes) out.push(instantOfLocal(day, minute, timeZone));
  }
  return out.filter((t) => t > startMs && t < endMs);
}

function plan(input: PreviewPriceInput): Plan {
  const startMs = parseOcpiDateTime(input.start_date_time);
  if (!Number.isFinite(input.duration_minutes) || input.duration_minutes <= 0) {
    throw new RangeError(`duration_minutes must be > 0, got ${input.duration_minutes}`);
  }
  const endMs = startMs + Math.round(input.duration_minutes * 60_000);
  const stayHours = new Dec(endMs - startMs).div(MS_PER_HOUR);
  const wanted = toDec(input.energy_kwh);
  if (wanted.isNegative()) throw new RangeError('energy_kwh must be >= 0');
  const maxPower = input.max_power_kw === null || input.max_power_kw === undefined ? null : toDec(input.max_power_kw);
  if (maxPower !== null && !maxPower.isPositive()) throw new RangeError('max_power_kw must be > 0');
  const current = input.max_current_a === null || input.max_current_a === undefined ? null : toDec(input.max_current_a);

  // Constant power from plug-in until the energy is in, parking after that. Without a power the
  // energy is spread over the whole stay, computed from the stay itself so that it adds up exactly.
  const spread = maxPower === null;
  const power = maxPower ?? wanted.div(stayHours);
  const delivered = spread ? wanted : Dec.min(wanted, power.times(stayHours));
  const chargeEndMs = spread ? endMs : startMs + delivered.div(power).times(MS_PER_HOUR).ceil().toNumber();
  const energyAt = (t: number): Dec =>
    spread ? wanted.times(t - startMs).div(endMs - startMs) : Dec.min(delivered, power.times(t - startMs).div(MS_PER_HOUR));
  // Ceil, so that the energy reached at the boundary is >= the threshold (min_kwh is inclusive).
  const kwhToMs = (kwh: Dec): number | null => {
    if (delivered.isZero() || kwh.gte(delivered)) return null;
    const hours = spread ? kwh.div(wanted).times(stayHours) : kwh.div(power);
    return startMs + hours.times(MS_PER_HOUR).ceil().toNumber();
  };

  const tariff = parseTariff(input.tariff);
  const boundaries = [startMs, endMs, ...switchInstants(tariff, startMs, endMs, input.time_zone ?? 'UTC', kwhToMs)];
  if (chargeEndMs > startMs && chargeEndMs < endMs) boundaries.push(chargeEndMs);
  const instants = [...new Set(boundaries)].sort((a, b) => a - b);

  const periods: ChargingPeriod[] = [];
  for (const [i, from] of instants.entries()) {
    const to = instants[i + 1];
    if (to === undefined) break;
    const hours = new Dec(to - from).div(MS_PER_HOUR).toString();
    const dimensions: CdrDimension[] = [];
    if (from < chargeEndMs) {
      const kw = power.toString();
      dimensions.push({ type: 'ENERGY', volume: energyAt(to).minus(energyAt(from)).toString() }, { type: 'TIME', volume: hours });
      dimensions.push({ type: 'MIN_POWER', volume: kw }, { type: 'MAX_POWER', volume: kw });
      if (current !== null) {
        dimensions.push({ type: 'MIN_CURRENT', volume: current.toString() }, { type: 'MAX_CURRENT', volume: current.toString() });
      }
    } else {
      dimensions.push({ type: 'PARKING_TIME', volume: hours });
    }
    periods.push({ start_date_time: formatOcpiDateTime(from), dimensions });
  }
  return { periods, endMs, delivered };
}

/**
 * Prices a planned charge: synthesizes the charging periods a CPO would report for it (split at
 * every instant a restriction may switch, charging then parking) and prices them with
 * priceSession. Bad input throws an AppError INVALID_ARGUMENT.
 */
export function previewPrice(input: PreviewPriceInput): PreviewPriceResult {
  let planned: Plan;
  try {
    planned = plan(input);
  } catch (e) {
    if (isAppError(e)) throw e;
    throw invalidArgument(`cannot preview this charge: ${e instanceof Error ? e.message : String(e)}`, { tariff_id: input.tariff.id });
  }
  const end_date_time = formatOcpiDateTime(planned.endMs);
  const result = priceSession({
    tariff: input.tariff,
    charging_periods: planned.periods,
    start_date_time: input.start_date_time,
    end_date_time,
    time_zone: input.time_zone ?? null,
  });
  return { ...result, charging_periods: planned.periods, end_date_time, delivered_energy_kwh: formatOutput(planned.delivered) };
}
