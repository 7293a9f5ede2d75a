import { credentials } from '@grpc/grpc-js';
import { internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { tariffService } from '@voltmesh/proto';
import type { CdrPricing, PricingSource } from '../application/ports.js';
import { parseDecimal } from '../domain/decimal.js';
import type { MoneyText, PricingRecord } from '../domain/pricing-record.js';

/**
 * The tariffs service's price engine (TariffService.PriceCdr), with a deadline on every call.
 * Its errors arrive as AppErrors of the same code: NOT_FOUND (a stored tariff we do not hold),
 * INVALID_ARGUMENT (the engine cannot price this CDR with this tariff), UNAVAILABLE and
 * DEADLINE_EXCEEDED (retry later). A reply that is not a complete Price is INTERNAL.
 */
export class TariffClient implements CdrPricing {
  private readonly client: tariffService.TariffServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new tariffService.TariffServiceClient(address, credentials.createInsecure(), observedClient);
  }

  async priceCdr(source: PricingSource, cdrJson: string): Promise<PricingRecord> {
    const tariff: tariffService.TariffSource =
      source.kind === 'inline'
        ? { ocpiJson: source.ocpiJson }
        : { stored: { party: { countryCode: source.tariff.country_code, partyId: source.tariff.party_id }, id: source.tariff.id } };
    const reply = await callUnary<tariffService.PriceCdrRequest, tariffService.PriceCdrResponse>(this.client.priceCdr.bind(this.client), { tariff, cdrJson }, this.deadlineMs);
    return toPricingRecord(source, reply.price);
  }

  close(): void {
    this.client.close();
  }
}

/** The Price message as billing keeps it; every figure must be a decimal string. */
export function toPricingRecord(source: PricingSource, price: tariffService.Price | undefined): PricingRecord {
  if (!price) throw internal('tariffs answered PriceCdr without a price');
  const figure = (value: string | undefined, field: string): string => {
    if (value === undefined || !parseDecimal(value)) throw internal(`tariffs answered PriceCdr with ${field} "${value}", not a decimal`);
    return value;
  };
  const money = (value: tariffService.Money | undefined, field: string): MoneyText => ({
    excl_vat: figure(value?.exclVat, `${field}.excl_vat`),
    incl_vat: figure(value?.inclVat, `${field}.incl_vat`),
  });
  let breakdown: unknown = [];
  if (price.breakdownJson) {
    try {
      breakdown = JSON.parse(price.breakdownJson) as unknown;
    } catch {
      throw internal('tariffs answered PriceCdr with a breakdown_json that is not JSON');
    }
  }
  return {
    tariff: { source: source.kind === 'inline' ? 'SNAPSHOT' : 'STORED', ...source.tariff },
    currency: price.currency,
    total_cost: money(price.totalCost, 'total_cost'),
    total_fixed_cost: money(price.totalFixedCost, 'total_fixed_cost'),
    total_energy_cost: money(price.totalEnergyCost, 'total_energy_cost'),
    total_time_cost: money(price.totalTimeCost, 'total_time_cost'),
    total_parking_cost: money(price.totalParkingCost, 'total_parking_cost'),
    total_reservation_cost: money(price.totalReservationCost, 'total_reservation_cost'),
    total_energy: figure(price.totalEnergy, 'total_energy'),
    total_time: figure(price.totalTime, 'total_time'),
    total_parking_time: figure(price.totalParkingTime, 'total_parking_time'),
    breakdown,
  };
}
