import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { startGrpcServer, type RunningGrpcServer } from '@voltmesh/grpc';
import type { Tariff } from '@voltmesh/ocpi';
import { partners, partnerService, tariffService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { add, decimal, fromNumber, ratio, sum, toFixed, type Decimal } from '../src/domain/decimal.js';

const logger = createLogger('billing-test-stubs', 'silent');

export interface PriceCdrCall {
  source: 'inline' | 'stored';
  tariffId: string;
  timeZone: string | undefined;
}

export interface TariffStub {
  address: string;
  server: RunningGrpcServer;
  calls: PriceCdrCall[];
  /** Tariffs "held" for TariffSource.stored, by CC*PID*ID. */
  hold(tariff: Tariff): void;
  /** The next n PriceCdr calls answer UNAVAILABLE. */
  failures: { next: number };
}

const ZERO_MONEY = { exclVat: '0.0000', inclVat: '0.0000' };

/**
 * TariffService.PriceCdr standing in for the tariffs service, deterministic and trivial: ENERGY
 * kWh of all periods × the price of the tariff's first ENERGY component, VAT added, 4 decimals.
 * Inline tariffs are priced as given; stored ones must have been `hold`-ed (else NOT_FOUND). A
 * CDR in another currency than the tariff is INVALID_ARGUMENT, as in the real engine.
 */
export async function startTariffStub(): Promise<TariffStub> {
  const held = new Map<string, Tariff>();
  const calls: PriceCdrCall[] = [];
  const failures = { next: 0 };
  const implementation = {
    priceCdr(call: ServerUnaryCall<tariffService.PriceCdrRequest, tariffService.PriceCdrResponse>, callback: sendUnaryData<tariffService.PriceCdrResponse>) {
      const { tariff: source, cdrJson } = call.request;
      if (failures.next > 0) {
        failures.next -= 1;
        return callback({ code: status.UNAVAILABLE, details: 'tariffs is down (test)' });
      }
      let tariff: Tariff | undefined;
      if (source?.stored) {
        const key = `${source.stored.party?.countryCode}*${source.stored.party?.partyId}*${source.stored.id}`.toUpperCase();
        tariff = held.get(key);
        if (!tariff) return callback({ code: status.NOT_FOUND, details: `unknown tariff ${key}` });
      } else {
        tariff = JSON.parse(source?.ocpiJson ?? '{}') as Tariff;
      }
      const cdr = JSON.parse(cdrJson) as { currency: string; start_date_time: string; end_date_time: string; charging_periods: { dimensions: { type: string; volume: number }[] }[]; cdr_location?: { time_zone?: string } };
      calls.push({ source: source?.stored ? 'stored' : 'inline', tariffId: tariff.id, timeZone: cdr.cdr_location?.time_zone });
      if (cdr.currency !== tariff.currency) return callback({ code: status.INVALID_ARGUMENT, details: `the CDR is in ${cdr.currency}, the tariff in ${tariff.currency}` });
      const component = tariff.elements.flatMap((element) => element.price_components).find((candidate) => candidate.type === 'ENERGY');
      const energy = sum(cdr.charging_periods.flatMap((period) => period.dimensions.filter((d) => d.type === 'ENERGY').map((d) => fromNumber(d.volume))));
      const excl = times(energy, component ? fromNumber(component.price) : decimal('0', 'price'));
      const incl = component?.vat ? add(excl, times(excl, times(fromNumber(component.vat), decimal('0.01', 'percent')))) : excl;
      const cost = { exclVat: toFixed(excl, 4), inclVat: toFixed(incl, 4) };
      callback(null, {
        price: {
          currency: tariff.currency,
          totalCost: cost,
          totalEnergyCost: cost,
          totalTimeCost: ZERO_MONEY,
          totalParkingCost: ZERO_MONEY,
          totalFixedCost: ZERO_MONEY,
          totalReservationCost: ZERO_MONEY,
          totalEnergy: toFixed(energy, 4),
          totalTime: toFixed(ratio(BigInt(Date.parse(cdr.end_date_time) - Date.parse(cdr.start_date_time)), 3_600_000n, 4), 4),
          totalParkingTime: '0.0000',
          breakdownJson: JSON.stringify([{ index: 0, energy: toFixed(energy, 4), cost }]),
        },
      });
    },
  } satisfies Partial<tariffService.TariffServiceServer>;
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [{ name: 'voltmesh.tariffs.v1.TariffService', definition: tariffService.TariffServiceService, implementation }], logger });
  server.setServing(true);
  return {
    address: `127.0.0.1:${server.port}`,
    server,
    calls,
    failures,
    hold(tariff) {
      held.set(`${tariff.country_code}*${tariff.party_id}*${tariff.id}`.toUpperCase(), tariff);
    },
  };
}

function times(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export interface PartnerStub {
  address: string;
  server: RunningGrpcServer;
  /** What ListConnections answers (whatever state is asked: billing asks for all). */
  connections: partners.PartnerConnection[];
  /** The next n ListConnections calls answer UNAVAILABLE. */
  failures: { next: number };
}

/** The gateway's PartnerService standing in: ListConnections only. */
export async function startPartnerStub(connections: partners.PartnerConnection[] = []): Promise<PartnerStub> {
  const stub = { connections, failures: { next: 0 } };
  const implementation = {
    listConnections(_call: ServerUnaryCall<partnerService.ListConnectionsRequest, partnerService.ListConnectionsResponse>, callback: sendUnaryData<partnerService.ListConnectionsResponse>) {
      if (stub.failures.next > 0) {
        stub.failures.next -= 1;
        return callback({ code: status.UNAVAILABLE, details: 'the gateway is down (test)' });
      }
      callback(null, { connections: stub.connections });
    },
  } satisfies Partial<partnerService.PartnerServiceServer>;
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [{ name: 'voltmesh.gateway.v1.PartnerService', definition: partnerService.PartnerServiceService, implementation }], logger });
  server.setServing(true);
  return Object.assign(stub, { address: `127.0.0.1:${server.port}`, server });
}
