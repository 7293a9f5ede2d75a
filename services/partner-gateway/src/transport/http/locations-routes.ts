import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidBody, ocpiSuccess, paginationQuerySchema } from '@voltmesh/ocpi';
import { readPartnerLocation, receiveLocationWrite, type LocationReceiverDeps } from '../../application/receivers/receive-location.js';
import type { LocationAddress } from '../../application/receivers/location-write.js';
import { listOwnPage } from '../../application/senders/list-own.js';
import { readOwnLocation, type LocationSenderDeps } from '../../application/senders/read-own-location.js';
import { callerOf, publicRequestUrl } from './route-helpers.js';

const receiverParams = z.object({
  country_code: z.string(),
  party_id: z.string(),
  location_id: z.string(),
  evse_uid: z.string().optional(),
  connector_id: z.string().optional(),
});
const senderParams = z.object({ location_id: z.string(), evse_uid: z.string().optional(), connector_id: z.string().optional() });

/**
 * Locations in both roles:
 * - eMSP Receiver `/ocpi/2.2.1/emsp/locations/{cc}/{pid}/{location_id}[/{evse_uid}[/{connector_id}]]`:
 *   partner CPOs PUT, PATCH and GET their own objects;
 * - CPO Sender `/ocpi/2.2.1/cpo/locations[/{location_id}[/{evse_uid}[/{connector_id}]]]`:
 *   partner eMSPs GET pages of ours, or one object.
 */
export function registerLocationRoutes(app: FastifyInstance, receiver: LocationReceiverDeps, sender: LocationSenderDeps, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  const receiverPaths = [
    '/ocpi/2.2.1/emsp/locations/:country_code/:party_id/:location_id',
    '/ocpi/2.2.1/emsp/locations/:country_code/:party_id/:location_id/:evse_uid',
    '/ocpi/2.2.1/emsp/locations/:country_code/:party_id/:location_id/:evse_uid/:connector_id',
  ];
  for (const path of receiverPaths) {
    app.get(path, { config }, async (request) => ocpiSuccess(await readPartnerLocation(receiver, callerOf(request), locationAddress(request))));
    app.put(path, { config }, async (request) => {
      await receiveLocationWrite(receiver, callerOf(request), 'PUT', locationAddress(request), request.body);
      return ocpiSuccess();
    });
    app.patch(path, { config }, async (request) => {
      await receiveLocationWrite(receiver, callerOf(request), 'PATCH', locationAddress(request), request.body);
      return ocpiSuccess();
    });
  }

  const pageQuery = paginationQuerySchema(sender.maxLimit);
  app.get('/ocpi/2.2.1/cpo/locations', { config }, async (request, reply) => {
    const query = pageQuery.safeParse(request.query);
    if (!query.success) throw invalidBody(query.error);
    const page = await listOwnPage(sender.locations, sender.maxLimit, query.data, publicRequestUrl(publicUrl, request));
    return reply.headers(page.headers).send(ocpiSuccess(page.data));
  });
  for (const path of ['/ocpi/2.2.1/cpo/locations/:location_id', '/ocpi/2.2.1/cpo/locations/:location_id/:evse_uid', '/ocpi/2.2.1/cpo/locations/:location_id/:evse_uid/:connector_id']) {
    app.get(path, { config }, async (request) => {
      const params = senderParams.parse(request.params);
      return ocpiSuccess(await readOwnLocation(sender, params.location_id, params.evse_uid, params.connector_id));
    });
  }
}

/** The Receiver URL's object address (shared by both OCPI versions' routes). */
export function locationAddress(request: FastifyRequest): LocationAddress {
  const params = receiverParams.parse(request.params);
  return {
    countryCode: params.country_code,
    partyId: params.party_id,
    locationId: params.location_id,
    ...(params.evse_uid !== undefined ? { evseUid: params.evse_uid } : {}),
    ...(params.connector_id !== undefined ? { connectorId: params.connector_id } : {}),
  };
}
