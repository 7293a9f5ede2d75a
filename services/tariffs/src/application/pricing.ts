import { invalidArgument, notFound } from '@voltmesh/errors';
import { parseJsonField, tariffSchema } from '@voltmesh/ocpi';
import type { tariffService } from '@voltmesh/proto';
import type { TariffStore } from '../adapters/tariff-store.js';
import { tariffKey } from '../domain/stored-tariff.js';
import { priceCdr, previewPrice, priceSessionLive, type MoneyOut, type PricingResult, type TariffInput } from '../domain/pricing/index.js';
import { cdrSchema, chargingPeriodsSchema, decimalField, instantField, timeZoneField } from './pricing-input.js';

/** An inline tariff is priced as given: pricing never reads last_updated, so it may be left out. */
const inlineTariffSchema = tariffSchema.omit({ last_updated: true });

/** The one thing pricing asks of the store: a tariff by key (tombstones are not found). */
export type TariffLookup = Pick<TariffStore, 'get'>;

/**
 * Prices a session's charging periods (the sessions service at every progress report, billing
 * before a CDR exists). With `state_json` (the previous response's) it is a live update: the
 * periods are those from the state's `state_period_count` on, the totals are the whole session's
 * and the breakdown covers the periods given (the engine's priceSessionLive states the rules).
 */
export async function priceSessionRequest(store: TariffLookup, request: tariffService.PriceSessionRequest): Promise<tariffService.PriceSessionResponse> {
  const tariff = await resolveTariff(store, request.tariff);
  const result = priceSessionLive({
    tariff,
    charging_periods: parseJsonField(chargingPeriodsSchema, request.chargingPeriodsJson, 'charging_periods_json'),
    start_date_time: instantField(request.startDateTime, 'start_date_time'),
    end_date_time: instantField(request.endDateTime, 'end_date_time'),
    time_zone: timeZoneField(request.timeZone, 'time_zone') ?? null,
    state_json: request.stateJson || null,
  });
  return { price: toPrice(result.pricing), stateJson: result.state_json, statePeriodCount: result.state_period_count };
}

/** Prices an OCPI CDR with a tariff (billing checks a partner's CDR, or builds ours). */
export async function priceCdrRequest(store: TariffLookup, request: tariffService.PriceCdrRequest): Promise<tariffService.Price> {
  const tariff = await resolveTariff(store, request.tariff);
  const cdr = parseJsonField(cdrSchema, request.cdrJson, 'cdr_json');
  const timeZone = timeZoneField(cdr.cdr_location?.time_zone, 'cdr_json.cdr_location.time_zone');
  return toPrice(priceCdr(cdr, tariff, { time_zone: timeZone ?? null }));
}

/** Estimates a planned charge before it starts (the driver app). */
export async function previewPriceRequest(store: TariffLookup, request: tariffService.PreviewPriceRequest): Promise<tariffService.Price> {
  const tariff = await resolveTariff(store, request.tariff);
  if (!(request.durationMinutes > 0)) throw invalidArgument('duration_minutes: must be > 0');
  const result = previewPrice({
    tariff,
    start_date_time: instantField(request.startDateTime, 'start_date_time'),
    time_zone: timeZoneField(request.timeZone, 'time_zone') ?? null,
    energy_kwh: decimalField(request.energyKwh, 'energy_kwh'),
    duration_minutes: request.durationMinutes,
    max_power_kw: request.maxPowerKw ? decimalField(request.maxPowerKw, 'max_power_kw') : null,
  });
  return toPrice(result);
}

/** The tariff to price with: a stored one (tombstones are not found), or OCPI JSON inline. */
async function resolveTariff(store: TariffLookup, source: tariffService.TariffSource | undefined): Promise<TariffInput> {
  if (source?.stored) {
    const { party, id } = source.stored;
    if (!party?.countryCode || !party.partyId || !id) throw invalidArgument('tariff.stored: party and id required');
    const key = { country_code: party.countryCode, party_id: party.partyId, tariff_id: id };
    const stored = await store.get(key);
    if (!stored) throw notFound(`unknown tariff ${tariffKey(key)}`);
    return stored.tariff;
  }
  if (source?.ocpiJson !== undefined) return parseJsonField(inlineTariffSchema, source.ocpiJson, 'tariff.ocpi_json');
  throw invalidArgument('tariff: a stored tariff (party and id) or ocpi_json is required');
}

/** The engine's result as the Price message; figures stay the engine's decimal strings. */
export function toPrice(result: PricingResult): tariffService.Price {
  const money = (value: MoneyOut): tariffService.Money => ({ exclVat: value.excl_vat, inclVat: value.incl_vat });
  return {
    currency: result.currency,
    totalCost: money(result.total_cost),
    totalEnergyCost: money(result.total_energy_cost),
    totalTimeCost: money(result.total_time_cost),
    totalParkingCost: money(result.total_parking_cost),
    totalFixedCost: money(result.total_fixed_cost),
    totalReservationCost: money(result.total_reservation_cost),
    totalEnergy: result.total_energy,
    totalTime: result.total_time,
    totalParkingTime: result.total_parking_time,
    breakdownJson: JSON.stringify(result.periods),
  };
}
