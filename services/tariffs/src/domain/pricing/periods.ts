import { Dec, toDec, ZERO } from './decimal.js';
import { localParts, parseOcpiDateTime, type LocalParts } from './local-time.js';
import type { ChargingPeriod } from './types.js';

/**
 * A charging period with its measured volumes as Decimals and the state of the session at the
 * period's START instant, which is the moment at which restrictions are evaluated (see
 * restrictions.ts for why we do not split periods).
 */
export interface PeriodState {
  index: number;
  startMs: number;
  endMs: number;
  /** kWh (may be negative for net export). */
  energy: Dec | null;
  /** Hours charging / not charging / reserved. */
  time: Dec | null;
  parking: Dec | null;
  reservation: Dec | null;
  current: Dec | null;
  minCurrent: Dec | null;
  maxCurrent: Dec | null;
  power: Dec | null;
  minPower: Dec | null;
  maxPower: Dec | null;
  /** A period carrying RESERVATION_TIME is priced by reservation elements only. */
  isReservation: boolean;
  at: {
    local: LocalParts;
    /** Sum of ENERGY of the earlier periods. */
    energySoFarKwh: Dec;
    /** Whole seconds since session start (never negative). */
    sessionSeconds: number;
  };
}

function addVolume(prev: Dec | null, v: Dec): Dec {
  return prev === null ? v : prev.plus(v);
}

export function buildPeriods(
  periods: readonly ChargingPeriod[],
  sessionStartMs: number,
  sessionEndMs: number,
  timeZone: string,
): PeriodState[] {
  const starts = periods.map((p) => parseOcpiDateTime(p.start_date_time));
  for (const [i, start] of starts.entries()) {
    const previous = starts[i - 1];
    if (previous !== undefined && start < previous) throw new RangeError(`charging period ${i} starts before period ${i - 1}`);
  }
  let energySoFar = ZERO;
  return periods.map((p, index) => {
    const startMs = starts[index] ?? sessionStartMs;
    const endMs = starts[index + 1] ?? sessionEndMs; // a period lasts until the next one starts
    const s: PeriodState = {
      index,
      startMs,
      endMs,
      energy: null,
      time: null,
      parking: null,
      reservation: null,
      current: null,
      minCurrent: null,
      maxCurrent: null,
      power: null,
      minPower: null,
      maxPower: null,
      isReservation: false,
      at: {
        local: localParts(startMs, timeZone),
        energySoFarKwh: energySoFar,
        sessionSeconds: Math.max(0, Math.floor((startMs - sessionStartMs) / 1000)),
      },
    };
    for (const d of p.dimensions) {
      const v = toDec(d.volume);
      switch (d.type) {
        // Volumes of the summed dimensions add up if a sender repeats a type.
        case 'ENERGY': s.energy = addVolume(s.energy, v); break;
        case 'TIME': s.time = addVolume(s.time, v); break;
        case 'PARKING_TIME': s.parking = addVolume(s.parking, v); break;
        case 'RESERVATION_TIME': s.reservation = addVolume(s.reservation, v); break;
        case 'CURRENT': s.current = v; break;
        case 'MIN_CURRENT': s.minCurrent = v; break;
        case 'MAX_CURRENT': s.maxCurrent = v; break;
        case 'POWER': s.power = v; break;
        case 'MIN_POWER': s.minPower = v; break;
        case 'MAX_POWER': s.maxPower = v; break;
        default: break; // ENERGY_IMPORT/EXPORT, STATE_OF_CHARGE, unknown: not priced
      }
    }
    s.isReservation = s.reservation !== null;
    if (s.energy) energySoFar = energySoFar.plus(s.energy);
    return s;
  });
}

/** Hours between two instants, exact (ms / 3 600 000 as a Decimal). */
export function hoursBetween(startMs: number, endMs: number): Dec {
  return new Dec(endMs - startMs).div(3_600_000);
}
