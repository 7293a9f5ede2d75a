import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ocpiSuccess, parseRoutingHeaders } from '@voltmesh/ocpi';
import { readPartnerSession, receiveSessionWrite, type SessionAddress, type SessionReceiverDeps } from '../../application/receivers/receive-session.js';
import { listSessionsForPartner, type SessionSenderDeps } from '../../application/senders/list-sessions.js';
import { setChargingPreferences } from '../../application/senders/set-charging-preferences.js';
import { callerOf, publicRequestUrl } from './route-helpers.js';

const receiverParams = z.object({ country_code: z.string(), party_id: z.string(), session_id: z.string() });
const preferencesParams = z.object({ session_id: z.string() });

/**
 * Sessions in both roles:
 * - eMSP Receiver `/ocpi/2.2.1/emsp/sessions/{cc}/{pid}/{session_id}`: partner CPOs PUT, PATCH
 *   and GET the sessions of our tokens at their chargers;
 * - CPO Sender `/ocpi/2.2.1/cpo/sessions?date_from=…`: partner eMSPs GET pages of our sessions
 *   of their tokens, and PUT `{session_id}/charging_preferences`.
 */
export function registerSessionRoutes(app: FastifyInstance, receiver: SessionReceiverDeps, sender: SessionSenderDeps, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  const path = '/ocpi/2.2.1/emsp/sessions/:country_code/:party_id/:session_id';
  app.get(path, { config }, async (request) => ocpiSuccess(await readPartnerSession(receiver, callerOf(request), sessionAddress(request))));
  app.put(path, { config }, async (request) => {
    await receiveSessionWrite(receiver, callerOf(request), 'PUT', sessionAddress(request), request.body);
    return ocpiSuccess();
  });
  app.patch(path, { config }, async (request) => {
    await receiveSessionWrite(receiver, callerOf(request), 'PATCH', sessionAddress(request), request.body);
    return ocpiSuccess();
  });

  app.get('/ocpi/2.2.1/cpo/sessions', { config }, async (request, reply) => {
    const page = await listSessionsForPartner(sender, callerOf(request), parseRoutingHeaders(request.headers), request.query, publicRequestUrl(publicUrl, request));
    return reply.headers(page.headers).send(ocpiSuccess(page.data));
  });
  app.put('/ocpi/2.2.1/cpo/sessions/:session_id/charging_preferences', { config }, async (request) => {
    const { session_id: sessionId } = preferencesParams.parse(request.params);
    return ocpiSuccess(await setChargingPreferences(sender, callerOf(request), parseRoutingHeaders(request.headers), sessionId, request.body));
  });
}

/** The Receiver URL's object address (shared by both OCPI versions' routes). */
export function sessionAddress(request: FastifyRequest): SessionAddress {
  const params = receiverParams.parse(request.params);
  return { countryCode: params.country_code, partyId: params.party_id, sessionId: params.session_id };
}
