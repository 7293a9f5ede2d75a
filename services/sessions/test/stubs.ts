import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { startGrpcServer, type RunningGrpcServer } from '@voltmesh/grpc';
import type { Location, Tariff, Token } from '@voltmesh/ocpi';
import { locationService, objects, tariffService, tokenService, type tokens } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';

const logger = createLogger('sessions-test-stubs', 'silent');

/** TokenService.GetToken standing in for the authorization service: answers the tokens it was given. */
export async function startTokenStub(): Promise<{ address: string; add(token: Token, owner: objects.Owner): void; server: RunningGrpcServer }> {
  const held = new Map<string, tokens.Token>();
  const key = (countryCode: string, partyId: string, uid: string, type: string) => `${countryCode}*${partyId}*${uid}*${type || 'RFID'}`.toUpperCase();
  const implementation = {
    getToken(call: ServerUnaryCall<tokenService.GetTokenRequest, tokenService.GetTokenResponse>, callback: sendUnaryData<tokenService.GetTokenResponse>) {
      const ref = call.request.token;
      const token = held.get(key(ref?.party?.countryCode ?? '', ref?.party?.partyId ?? '', ref?.uid ?? '', ref?.type ?? ''));
      if (!token) return callback({ code: status.NOT_FOUND, details: `unknown token ${ref?.uid}` });
      callback(null, { token });
    },
  } satisfies Partial<tokenService.TokenServiceServer>;
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [{ name: 'voltmesh.authorization.v1.TokenService', definition: tokenService.TokenServiceService, implementation }], logger });
  server.setServing(true);
  return {
    address: `127.0.0.1:${server.port}`,
    server,
    add(token, owner) {
      held.set(key(token.country_code, token.party_id, token.uid, token.type), {
        party: { countryCode: token.country_code, partyId: token.party_id },
        uid: token.uid,
        type: token.type,
        lastUpdated: token.last_updated,
        owner,
        ocpiJson: JSON.stringify(token),
        connectionId: owner === objects.Owner.OWNER_PARTNER ? 'conn-partner' : '',
        account: undefined,
      });
    },
  };
}

export interface EvseStatusCall {
  party: string;
  locationId: string;
  evseUid: string;
  status: string;
  at: string;
}

/**
 * LocationService standing in for the locations service: ReportEvseStatus records calls (and
 * fails on request), GetLocation answers the locations it was given.
 */
export async function startLocationStub(): Promise<{ address: string; calls: EvseStatusCall[]; failures: { next: number }; add(location: Location): void; server: RunningGrpcServer }> {
  const calls: EvseStatusCall[] = [];
  const failures = { next: 0 };
  const held = new Map<string, Location>();
  const key = (countryCode: string, partyId: string, id: string) => `${countryCode}*${partyId}*${id}`.toUpperCase();
  const implementation = {
    reportEvseStatus(call: ServerUnaryCall<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>, callback: sendUnaryData<locationService.ReportEvseStatusResponse>) {
      const request = call.request;
      if (failures.next > 0) {
        failures.next -= 1;
        return callback({ code: status.UNAVAILABLE, details: 'locations is down (test)' });
      }
      calls.push({ party: `${request.party?.countryCode}*${request.party?.partyId}`, locationId: request.locationId, evseUid: request.evseUid, status: request.status, at: request.at });
      callback(null, { changed: true, lastUpdated: request.at });
    },
    getLocation(call: ServerUnaryCall<locationService.GetLocationRequest, locationService.GetLocationResponse>, callback: sendUnaryData<locationService.GetLocationResponse>) {
      const { party, id } = call.request;
      const location = held.get(key(party?.countryCode ?? '', party?.partyId ?? '', id));
      if (!location) return callback({ code: status.NOT_FOUND, details: `unknown location ${id}` });
      callback(null, {
        location: {
          party: { countryCode: location.country_code, partyId: location.party_id },
          id: location.id,
          lastUpdated: location.last_updated,
          owner: objects.Owner.OWNER_OWN,
          ocpiJson: JSON.stringify(location),
        },
      });
    },
  } satisfies Partial<locationService.LocationServiceServer>;
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [{ name: 'voltmesh.locations.v1.LocationService', definition: locationService.LocationServiceService, implementation }], logger });
  server.setServing(true);
  return { address: `127.0.0.1:${server.port}`, calls, failures, add: (location) => held.set(key(location.country_code, location.party_id, location.id), location), server };
}

/** What the TariffService stand-in was asked to price: how many periods, and whether from a resume state. */
export interface PricingCall {
  periods: number;
  resumed: boolean;
  endDateTime: string;
}

/** The stand-in's resume state: the periods it settled and their energy. */
interface StubState {
  settled: number;
  energy: number;
}

/**
 * TariffService standing in for the tariffs service: GetTariff answers the tariffs it was given;
 * PriceSession prices ENERGY only, at the tariff's first ENERGY price component (excl. VAT, then
 * its VAT), 4 decimals half up, and honours the resume protocol simply: in `resume` mode its
 * state is the number of periods settled (all but the last) and their energy, and a resumed call
 * must bring the periods from there on; in `empty` mode it answers no state (the tariffs service
 * before incremental pricing), so every call must bring every period.
 */
export async function startTariffStub(): Promise<{ address: string; add(tariff: Tariff): void; mode: { resume: boolean }; calls: PricingCall[]; server: RunningGrpcServer }> {
  const held = new Map<string, Tariff>();
  const calls: PricingCall[] = [];
  const mode = { resume: true };
  const key = (countryCode: string, partyId: string, id: string) => `${countryCode}*${partyId}*${id}`.toUpperCase();
  // Half up at 4 decimals; the epsilon absorbs binary floating point (0.875 × 1.21 is 1.0587499…).
  const round = (value: number) => (Math.round(value * 10_000 + 1e-6) / 10_000).toFixed(4);
  const implementation = {
    getTariff(call: ServerUnaryCall<tariffService.GetTariffRequest, tariffService.GetTariffResponse>, callback: sendUnaryData<tariffService.GetTariffResponse>) {
      const { party, id } = call.request;
      const tariff = held.get(key(party?.countryCode ?? '', party?.partyId ?? '', id));
      if (!tariff) return callback({ code: status.NOT_FOUND, details: `unknown tariff ${id}` });
      callback(null, { tariff: { party: { countryCode: tariff.country_code, partyId: tariff.party_id }, id: tariff.id, lastUpdated: tariff.last_updated, owner: objects.Owner.OWNER_OWN, ocpiJson: JSON.stringify(tariff) } });
    },
    priceSession(call: ServerUnaryCall<tariffService.PriceSessionRequest, tariffService.PriceSessionResponse>, callback: sendUnaryData<tariffService.PriceSessionResponse>) {
      const request = call.request;
      const tariff = JSON.parse(request.tariff?.ocpiJson ?? '{}') as Tariff;
      const periods = JSON.parse(request.chargingPeriodsJson) as { tariff_id?: string; dimensions: { type: string; volume: number }[] }[];
      const state: StubState = request.stateJson ? (JSON.parse(request.stateJson) as StubState) : { settled: 0, energy: 0 };
      calls.push({ periods: periods.length, resumed: request.stateJson !== '', endDateTime: request.endDateTime });
      if (request.stateJson && periods.length === 0) return callback({ code: status.INVALID_ARGUMENT, details: 'a resumed update needs the periods from state_period_count on' });
      if (periods.some((period) => period.tariff_id && period.tariff_id !== tariff.id)) return callback({ code: status.INVALID_ARGUMENT, details: 'a period under another tariff' });
      const energyOf = (list: typeof periods) => list.reduce((sum, period) => sum + period.dimensions.filter((d) => d.type === 'ENERGY').reduce((kwh, d) => kwh + d.volume, 0), 0);
      const component = tariff.elements.flatMap((element) => element.price_components).find((candidate) => candidate.type === 'ENERGY');
      const energy = state.energy + energyOf(periods);
      const exclVat = energy * (component?.price ?? 0);
      const money = (value: number) => ({ exclVat: round(value), inclVat: round(value * (1 + (component?.vat ?? 0) / 100)) });
      const zero = money(0);
      const next: StubState = { settled: state.settled + periods.length - 1, energy: state.energy + energyOf(periods.slice(0, -1)) };
      callback(null, {
        price: {
          currency: tariff.currency,
          totalCost: money(exclVat),
          totalEnergyCost: money(exclVat),
          totalTimeCost: zero,
          totalParkingCost: zero,
          totalFixedCost: zero,
          totalReservationCost: zero,
          totalEnergy: round(energy),
          totalTime: '0.0000',
          totalParkingTime: '0.0000',
          breakdownJson: '[]',
        },
        stateJson: mode.resume ? JSON.stringify(next) : '',
        statePeriodCount: mode.resume ? next.settled : 0,
      });
    },
  } satisfies Partial<tariffService.TariffServiceServer>;
  const server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [{ name: 'voltmesh.tariffs.v1.TariffService', definition: tariffService.TariffServiceService, implementation }], logger });
  server.setServing(true);
  return { address: `127.0.0.1:${server.port}`, add: (tariff) => held.set(key(tariff.country_code, tariff.party_id, tariff.id), tariff), mode, calls, server };
}
