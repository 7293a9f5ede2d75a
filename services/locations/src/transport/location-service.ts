import { invalidArgument, notFound } from '@voltmesh/errors';
import { ownerOf, readListRequest, unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { locationService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import { toProto, type LocationWriter } from '../application/location-writer.js';
import type { LocationReadModel } from '../application/read-model.js';
import { reportEvseStatus, upsertOwnLocation } from '../application/own-locations.js';
import { boundingBox, matchAvailableEvses } from '../domain/evse-search.js';
import type { LocationsConfig } from '../config.js';

type PageLimits = Pick<LocationsConfig, 'LIST_DEFAULT_LIMIT' | 'LIST_MAX_LIMIT'>;

/** LocationService: what internal teams (CSMS, driver app) and the gateway ask of locations. */
export function locationServiceBinding(model: LocationReadModel, writer: LocationWriter, limits: PageLimits, logger: Logger): GrpcServiceBinding {
  const implementation: locationService.LocationServiceServer = {
    upsertLocation: unary(logger, async (request: locationService.UpsertLocationRequest) => {
      const result = await upsertOwnLocation(writer, request);
      if (!result.stored) throw new Error('upsert returned no location');
      return { location: toProto(result.stored), changed: result.changed };
    }),
    reportEvseStatus: unary(logger, async (request: locationService.ReportEvseStatusRequest) => {
      const result = await reportEvseStatus(writer, request);
      const evse = result.stored?.location.evses.find((candidate) => candidate.uid.toUpperCase() === request.evseUid.toUpperCase());
      return { changed: result.changed, lastUpdated: evse?.last_updated ?? '' };
    }),
    getLocation: unary(logger, async (request: locationService.GetLocationRequest) => {
      if (!request.party?.countryCode || !request.party.partyId || !request.id) throw invalidArgument('party and id: required');
      const stored = model.get({ country_code: request.party.countryCode, party_id: request.party.partyId, location_id: request.id });
      if (!stored) throw notFound(`unknown location ${request.party.countryCode}*${request.party.partyId}*${request.id}`);
      return { location: toProto(stored) };
    }),
    listLocations: unary(logger, async (request: locationService.ListLocationsRequest) => {
      const { filter, offset, limit } = readListRequest(request, { defaultLimit: limits.LIST_DEFAULT_LIMIT, maxLimit: limits.LIST_MAX_LIMIT });
      const page = model.list(filter, offset, limit);
      return { locations: page.items.map(toProto), page: { total: page.total, limit } };
    }),
    findAvailableEvses: unary(logger, async (request: locationService.FindAvailableEvsesRequest) => {
      if (!(Math.abs(request.latitude) <= 90) || !(Math.abs(request.longitude) <= 180)) throw invalidArgument('latitude/longitude: out of range');
      const query = {
        latitude: request.latitude,
        longitude: request.longitude,
        radiusM: request.radiusM || 5000,
        connectorTypes: request.connectorTypes,
        minPowerKw: request.minPowerKw,
      };
      if (query.radiusM > 200_000) throw invalidArgument('radius_m: at most 200000');
      const limit = Math.min(request.limit || 20, 200);
      const owner = ownerOf(request.owner);
      const box = boundingBox(query);
      const candidates = model.values().filter((stored) => {
        const latitude = Number(stored.location.coordinates.latitude);
        const longitude = Number(stored.location.coordinates.longitude);
        return (!owner || stored.owner === owner) && latitude >= box.minLat && latitude <= box.maxLat && longitude >= box.minLon && longitude <= box.maxLon;
      });
      const matches = matchAvailableEvses(candidates.map((stored) => stored.location), query, limit);
      return {
        evses: matches.map((match) => ({
          party: { countryCode: match.location.country_code, partyId: match.location.party_id },
          locationId: match.location.id,
          evseUid: match.evse.uid,
          evseId: match.evse.evse_id ?? '',
          distanceM: Math.round(match.distanceM),
          maxPowerKw: match.maxPowerKw,
          connectorTypes: [...new Set(match.evse.connectors.map((connector) => connector.standard))],
          locationName: match.location.name ?? '',
        })),
      };
    }),
  };
  return { name: 'voltmesh.locations.v1.LocationService', definition: locationService.LocationServiceService, implementation };
}
