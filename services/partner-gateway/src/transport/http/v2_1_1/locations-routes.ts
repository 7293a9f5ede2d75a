import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ocpiSuccess, paginationQuerySchema, type Connector, type Evse, type Location } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { readPartnerLocation, receiveLocationWrite, type LocationReceiverDeps } from '../../../application/receivers/receive-location.js';
import type { LocationAddress } from '../../../application/receivers/location-write.js';
import { listOwnPage } from '../../../application/senders/list-own.js';
import { readOwnLocation, type LocationSenderDeps } from '../../../application/senders/read-own-location.js';
import { connectorFrom211, connectorTo211, evseFrom211, evseTo211, locationFrom211, locationPatchFrom211, locationTo211, type LocationLevel } from '../../../edge/v2_1_1/locations.js';
import type { Mapped } from '../../../edge/mapped.js';
import { callerOf, publicRequestUrl } from '../route-helpers.js';
import { locationAddress } from '../locations-routes.js';
import { parse211, V211, withLastUpdated, type Edge211 } from './edge-211.js';

const senderParams = z.object({ location_id: z.string(), evse_uid: z.string().optional(), connector_id: z.string().optional() });

/**
 * Locations for 2.1.1 partners, through the 2.1.1 mappers around the same use cases as 2.2.1:
 * - eMSP Receiver `/ocpi/2.1.1/emsp/locations/{cc}/{pid}/{location_id}[/{evse_uid}[/{connector_id}]]`;
 * - CPO Sender `/ocpi/2.1.1/cpo/locations[/{location_id}[/{evse_uid}[/{connector_id}]]]`: a
 *   location 2.1.1 cannot show (not published to everyone) is left out, as for any partner.
 */
export function registerLocationRoutes211(app: FastifyInstance, edge: Edge211, receiver: LocationReceiverDeps, sender: LocationSenderDeps, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  const receiverPaths = [
    `${V211}/emsp/locations/:country_code/:party_id/:location_id`,
    `${V211}/emsp/locations/:country_code/:party_id/:location_id/:evse_uid`,
    `${V211}/emsp/locations/:country_code/:party_id/:location_id/:evse_uid/:connector_id`,
  ];
  for (const path of receiverPaths) {
    app.get(path, { config }, async (request) => {
      const at = locationAddress(request);
      const object = await readPartnerLocation(receiver, callerOf(request), at);
      return ocpiSuccess(edge.outbound(request, 'locations', at.locationId, () => objectTo211(object, levelOf(at))));
    });
    app.put(path, { config }, async (request) => {
      const at = locationAddress(request);
      const zone = callerOf(request).connection.timeZone211;
      const mapped = edge.inbound(request, 'locations', at.locationId, () => putFrom211(request.body, at, zone));
      await receiveLocationWrite(receiver, callerOf(request), 'PUT', at, mapped.value);
      return ocpiSuccess(undefined, mapped.message);
    });
    app.patch(path, { config }, async (request) => {
      const at = locationAddress(request);
      const level = levelOf(at);
      const mapped = edge.inbound(request, 'locations', at.locationId, () => locationPatchFrom211(parse211(patchSchemas[level], request.body), level));
      await receiveLocationWrite(receiver, callerOf(request), 'PATCH', at, withLastUpdated(mapped.value));
      return ocpiSuccess(undefined, mapped.message);
    });
  }

  const pageQuery = paginationQuerySchema(sender.maxLimit);
  app.get(`${V211}/cpo/locations`, { config }, async (request, reply) => {
    const page = await listOwnPage(sender.locations, sender.maxLimit, parse211(pageQuery, request.query), publicRequestUrl(publicUrl, request));
    const data = edge.outboundPage(request, 'locations', page.data, (location) => location.id, (location) => locationTo211(location));
    return reply.headers(page.headers).send(ocpiSuccess(data));
  });
  for (const path of [`${V211}/cpo/locations/:location_id`, `${V211}/cpo/locations/:location_id/:evse_uid`, `${V211}/cpo/locations/:location_id/:evse_uid/:connector_id`]) {
    app.get(path, { config }, async (request) => {
      const params = senderParams.parse(request.params);
      const object = await readOwnLocation(sender, params.location_id, params.evse_uid, params.connector_id);
      const level: LocationLevel = params.connector_id !== undefined ? 'connector' : params.evse_uid !== undefined ? 'evse' : 'location';
      return ocpiSuccess(edge.outbound(request, 'locations', params.location_id, () => objectTo211(object, level)));
    });
  }
}

const patchSchemas = { location: v211.locationPatchSchema, evse: v211.evsePatchSchema, connector: v211.connectorPatchSchema } as const;

function putFrom211(body: unknown, at: LocationAddress, timeZone: string | undefined): Mapped<Location | Evse | Connector> {
  switch (levelOf(at)) {
    case 'location':
      return locationFrom211(parse211(v211.locationSchema, body), { countryCode: at.countryCode, partyId: at.partyId, ...(timeZone ? { timeZone } : {}) });
    case 'evse':
      return evseFrom211(parse211(v211.evseSchema, body));
    case 'connector':
      return connectorFrom211(parse211(v211.connectorSchema, body));
  }
}

/** Our object at the URL's level, as 2.1.1 shows it. */
function objectTo211(object: Location | Evse | Connector, level: LocationLevel): Mapped<v211.Location | v211.Evse | v211.Connector> {
  switch (level) {
    case 'location':
      return locationTo211(object as Location);
    case 'evse':
      return evseTo211(object as Evse);
    case 'connector':
      return connectorTo211(object as Connector);
  }
}

const levelOf = (at: LocationAddress): LocationLevel => (at.connectorId !== undefined ? 'connector' : at.evseUid !== undefined ? 'evse' : 'location');
