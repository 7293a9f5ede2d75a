import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ocpiSuccess } from '@voltmesh/ocpi';
import type { HubClientInfoStore } from '../../adapters/hub-client-info-store.js';
import { readClientInfo, receiveClientInfo, type ClientInfoAddress } from '../../application/receivers/receive-client-info.js';
import { callerOf } from './route-helpers.js';

const params = z.object({ country_code: z.string(), party_id: z.string() });

/** HubClientInfo Receiver `/ocpi/2.2.1/hubclientinfo/{country_code}/{party_id}`: PUT and GET, hubs only, no routing headers. */
export function registerHubClientInfoRoutes(app: FastifyInstance, store: HubClientInfoStore): void {
  const config = { auth: 'registered' as const };
  const path = '/ocpi/2.2.1/hubclientinfo/:country_code/:party_id';
  app.put(path, { config }, async (request) => {
    await receiveClientInfo(store, callerOf(request), address(request), request.body, new Date());
    return ocpiSuccess();
  });
  app.get(path, { config }, async (request) => ocpiSuccess(await readClientInfo(store, callerOf(request), address(request))));
}

function address(request: FastifyRequest): ClientInfoAddress {
  const { country_code: countryCode, party_id: partyId } = params.parse(request.params);
  return { countryCode, partyId };
}
