import { invalidArgument } from '@voltmesh/errors';
import { priceSession } from './price-session.js';
import type { CdrInput, PriceCdrOptions, PricingResult, TariffInput } from './types.js';

/**
 * Prices a CDR with the tariff it was charged under. The CDR does not carry the Location's time
 * zone (CdrLocation has none in OCPI 2.2.1), so a tariff with local-time restrictions needs
 * `options.time_zone`. A CDR in another currency than the tariff is refused (INVALID_ARGUMENT).
 */
export function priceCdr(cdr: CdrInput, tariff: TariffInput, options: PriceCdrOptions = {}): PricingResult {
  if (cdr.currency.toUpperCase() !== tariff.currency.toUpperCase()) {
    throw invalidArgument(`the CDR is in ${cdr.currency}, the tariff in ${tariff.currency}`, { tariff_id: tariff.id });
  }
  return priceSession({
    tariff,
    charging_periods: cdr.charging_periods,
    start_date_time: cdr.start_date_time,
    end_date_time: cdr.end_date_time,
    time_zone: options.time_zone ?? null,
    reservation_expired: options.reservation_expired ?? null,
  });
}
