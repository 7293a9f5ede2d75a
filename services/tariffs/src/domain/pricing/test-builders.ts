// Builders of the engine's own input types (TariffInput, ChargingPeriod); the wire-level
// OCPI builders (aTariff, aLocation) live in @voltmesh/testing.
/*
 * Test-data builders for the pricing tests (not part of the engine's API). Defaults are a plain
 * €0.25/kWh tariff and one-hour periods, so each test states only what it is about.
 */
import type {
  CdrDimension,
  ChargingPeriod,
  PriceComponentInput,
  PriceSessionInput,
  TariffDimensionType,
  TariffElementInput,
  TariffInput,
  TariffRestrictionsInput,
} from './types.js';

export function aComponent(type: TariffDimensionType, price: number | string, more: Partial<PriceComponentInput> = {}): PriceComponentInput {
  return { type, price, step_size: 1, ...more };
}

export function anElement(components: PriceComponentInput[], restrictions?: TariffRestrictionsInput): TariffElementInput {
  return restrictions ? { price_components: components, restrictions } : { price_components: components };
}

export function aTariffInput(more: Partial<TariffInput> = {}): TariffInput {
  return { id: 'T1', currency: 'EUR', elements: [anElement([aComponent('ENERGY', '0.25', { vat: 10 })])], ...more };
}

export interface PeriodVolumes {
  energy?: number | string;
  time?: number | string;
  parking?: number | string;
  reservation?: number | string;
  minPower?: number;
  maxPower?: number;
  minCurrent?: number;
  maxCurrent?: number;
}

export function aPeriod(start: string, v: PeriodVolumes): ChargingPeriod {
  const dims: [CdrDimension['type'], number | string | undefined][] = [
    ['ENERGY', v.energy],
    ['TIME', v.time],
    ['PARKING_TIME', v.parking],
    ['RESERVATION_TIME', v.reservation],
    ['MIN_POWER', v.minPower],
    ['MAX_POWER', v.maxPower],
    ['MIN_CURRENT', v.minCurrent],
    ['MAX_CURRENT', v.maxCurrent],
  ];
  return {
    start_date_time: start,
    dimensions: dims.flatMap(([type, volume]) => (volume === undefined ? [] : [{ type, volume }])),
  };
}

/** A session whose periods run back to back; `end` defaults to one hour after the last start. */
export function aSession(tariff: TariffInput, periods: ChargingPeriod[], more: Partial<PriceSessionInput> = {}): PriceSessionInput {
  const first = periods[0]?.start_date_time ?? '2024-06-03T10:00:00Z';
  const last = periods.at(-1)?.start_date_time ?? first;
  const end = new Date(Date.parse(last) + 3_600_000).toISOString();
  return { tariff, charging_periods: periods, start_date_time: first, end_date_time: end, time_zone: 'Europe/Amsterdam', ...more };
}
