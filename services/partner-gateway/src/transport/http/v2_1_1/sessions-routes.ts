import type { FastifyInstance } from 'fastify';
import { formatOcpiDateTime, ocpiSuccess, type Location, type Session } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { TokensClient } from '../../../adapters/tokens-client.js';
import { readPartnerSession, receiveSessionWrite, type SessionReceiverDeps } from '../../../application/receivers/receive-session.js';
import { listSessionsForPartner, type SessionSenderDeps } from '../../../application/senders/list-sessions.js';
import { NotExpressible } from '../../../edge/mapped.js';
import { sessionFrom211, sessionPatchFrom211, sessionTo211 } from '../../../edge/v2_1_1/sessions.js';
import { callerOf, publicRequestUrl } from '../route-helpers.js';
import { sessionAddress } from '../sessions-routes.js';
import { parse211, V211, type Edge211 } from './edge-211.js';
import { pageLocations, type LocationLookup } from './page-locations.js';
import { tokenOfAuthId } from './token-of-auth-id.js';


/**
 * Sessions for 2.1.1 partners:
 * - eMSP Receiver `/ocpi/2.1.1/emsp/sessions/{cc}/{pid}/{session_id}` (GET, PUT, PATCH): the
 *   driver is named by `auth_id` (our contract id) and the charger by the embedded Location;
 *   a PATCH's charging_periods are the whole list (2.1.1 replaces lists) and replace the
 *   stored ones, in order with the writes before it (no snapshot of ours decides);
 * - CPO Sender `/ocpi/2.1.1/cpo/sessions?date_from=…`: pages of ours, each embedding our
 *   Location (one read per location per page).
 */
export function registerSessionRoutes211(
  app: FastifyInstance,
  edge: Edge211,
  receiver: SessionReceiverDeps & { ownTokens: Pick<TokensClient, 'findOwnByContractId'>; locations: LocationLookup },
  sender: SessionSenderDeps & { locations: LocationLookup },
  publicUrl: string,
): void {
  const config = { auth: 'registered' as const };
  const path = `${V211}/emsp/sessions/:country_code/:party_id/:session_id`;
  app.get(path, { config }, async (request) => {
    const at = sessionAddress(request);
    const session = await readPartnerSession(receiver, callerOf(request), at);
    const location = await receiver.locations.get(session.country_code, session.party_id, session.location_id);
    return ocpiSuccess(edge.outbound(request, 'sessions', at.sessionId, () => sessionTo211(session, requireLocation(location, session))));
  });
  app.put(path, { config }, async (request) => {
    const at = sessionAddress(request);
    const session = parse211(v211.sessionSchema, request.body);
    const cdrToken = await tokenOfAuthId(receiver.ownTokens, session.auth_id);
    const mapped = edge.inbound(request, 'sessions', at.sessionId, () => sessionFrom211(session, { countryCode: at.countryCode, partyId: at.partyId, cdrToken }));
    await receiveSessionWrite(receiver, callerOf(request), 'PUT', at, mapped.value);
    return ocpiSuccess(undefined, mapped.message);
  });
  app.patch(path, { config }, async (request) => {
    const at = sessionAddress(request);
    const caller = callerOf(request);
    const patch = parse211(v211.sessionPatchSchema, request.body);
    const cdrToken = patch.auth_id === undefined ? undefined : await tokenOfAuthId(receiver.ownTokens, patch.auth_id);
    const receivedAt = formatOcpiDateTime(new Date());
    const mapped = edge.inbound(request, 'sessions', at.sessionId, () => sessionPatchFrom211(patch, { receivedAt, ...(cdrToken ? { cdrToken } : {}) }));
    // 2.1.1 PATCHes replace lists: the periods sent are the whole list (the sessions service
    // replaces them in order with the writes before, so a restated period is no conflict).
    await receiveSessionWrite(receiver, caller, 'PATCH', at, mapped.value, { replacePeriods: true });
    return ocpiSuccess(undefined, mapped.message);
  });

  app.get(`${V211}/cpo/sessions`, { config }, async (request, reply) => {
    const page = await listSessionsForPartner(sender, callerOf(request), {}, request.query, publicRequestUrl(publicUrl, request));
    const locationOf = await pageLocations(sender.locations, page.data, (session) => ({ countryCode: session.country_code, partyId: session.party_id, id: session.location_id }));
    const data = edge.outboundPage(request, 'sessions', page.data, (session) => session.id, (session) => sessionTo211(session, requireLocation(locationOf(session), session)));
    return reply.headers(page.headers).send(ocpiSuccess(data));
  });
}

/** A session whose location we do not hold cannot be shown in 2.1.1 (it embeds the Location). */
function requireLocation(location: Location | undefined, session: Session): Location {
  if (!location) throw new NotExpressible([{ field: 'location_id', reason: `location ${session.location_id} is unknown here, and a 2.1.1 Session embeds it` }]);
  return location;
}
