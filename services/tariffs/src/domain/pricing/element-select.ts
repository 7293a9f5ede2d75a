import type { PeriodState } from './periods.js';
import { restrictionsHold } from './restrictions.js';
import type { ParsedComponent, ParsedElement, ParsedTariff } from './tariff-model.js';
import type { ReservationRestrictionType, TariffDimensionType } from './types.js';

/**
 * What kind of time a period is: ordinary charging/parking, or a reservation (a period carrying
 * RESERVATION_TIME), which may have expired without a session.
 */
export type PeriodKind = 'CHARGING' | 'RESERVATION' | 'RESERVATION_EXPIRED';

function firstMatch(
  elements: readonly ParsedElement[],
  dimension: TariffDimensionType,
  period: PeriodState,
  reservation: ReservationRestrictionType | null,
): ParsedComponent | null {
  for (const el of elements) {
    // Reservation elements price reservations only, and ordinary elements never price them.
    if (el.restrictions.reservation !== reservation) continue;
    const component = el.components.find((c) => c.type === dimension);
    if (component && restrictionsHold(el.restrictions, period)) return component;
  }
  return null;
}

/**
 * REFERENCE §8.3 step 2: the component of `dimension` from the FIRST element (in order) that has
 * one and whose restrictions all hold; null = this dimension is free at this moment.
 *
 * For an expired reservation, RESERVATION_EXPIRES elements win ("if both exist with TIME
 * components, expired-reservation time is priced by the RESERVATION_EXPIRES element"); a
 * dimension they do not price falls back to the RESERVATION elements (e.g. an expiry FLAT fee on
 * top of the per-hour reservation price).
 */
export function selectComponent(
  tariff: ParsedTariff,
  dimension: TariffDimensionType,
  period: PeriodState,
  kind: PeriodKind,
): ParsedComponent | null {
  switch (kind) {
    case 'CHARGING':
      return firstMatch(tariff.elements, dimension, period, null);
    case 'RESERVATION':
      return firstMatch(tariff.elements, dimension, period, 'RESERVATION');
    case 'RESERVATION_EXPIRED':
      return (
        firstMatch(tariff.elements, dimension, period, 'RESERVATION_EXPIRES') ??
        firstMatch(tariff.elements, dimension, period, 'RESERVATION')
      );
  }
}
