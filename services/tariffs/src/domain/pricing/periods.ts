import { Dec, toDec } from './decimal.js';
import { formatOcpiDateTime, localParts, parseOcpiDateTime, type LocalParts } from './local-time.js';
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

/**
 * The start instants of consecutive periods of a session, checked to be in order. `firstIndex` is
 * the session index of the first one (a live update gives only the periods from there on) and
 * `notBeforeMs` the instant none may start before (the end of the periods already settled).
 */
export function periodStarts(periods: readonly ChargingPeriod[], firstIndex: number, notBeforeMs: number | null): number[] {
  const starts = periods.map((p) => parseOcpiDateTime(p.start_date_time));
  for (const [i, start] of starts.entries()) {
    const previous = starts[i - 1];
    if (previous !== undefined && start < previous) {
      throw new RangeError(`charging period ${firstIndex + i} starts before period ${firstIndex + i - 1}`);
    }
  }
  const first = starts[0];
  if (first !== undefined && notBeforeMs !== null && first < notBeforeMs) {
    throw new RangeError(
      `charging period ${firstIndex} starts at ${formatOcpiDateTime(first)}, before the end of the settled periods (${formatOcpiDateTime(notBeforeMs)})`,
    );
  }
  return starts;
}

/** A period's measured volumes as Decimals: what a PeriodState holds besides times and `at`. */
export type PeriodVolumes = Omit<PeriodState, 'index' | 'startMs' | 'endMs' | 'at'>;

/** Reads a period's dimensions (throws for a volume that is not a number). */
export function periodVolumes(p: ChargingPeriod): PeriodVolumes {
  const s: PeriodVolumes = {
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
  return s;
}

/**
 * A period with the session's state at its start. A period lasts until the next one starts
 * (`endMs`); `energySoFarKwh` is the ENERGY of every earlier period of the session.
 */
export function periodState(
  volumes: PeriodVolumes,
  at: { index: number; startMs: number; endMs: number; sessionStartMs: number; timeZone: string; energySoFarKwh: Dec },
): PeriodState {
  return {
    ...volumes,
    index: at.index,
    startMs: at.startMs,
    endMs: at.endMs,
    at: {
      local: localParts(at.startMs, at.timeZone),
      energySoFarKwh: at.energySoFarKwh,
      sessionSeconds: Math.max(0, Math.floor((at.startMs - at.sessionStartMs) / 1000)),
    },
  };
}

/** Hours between two instants, exact (ms / 3 600 000 as a Decimal). */
export function hoursBetween(startMs: number, endMs: number): Dec {
  return new Dec(endMs - startMs).div(3_600_000);
}
