import { isAppError } from '@voltmesh/errors';
import { chargingPreferencesSchema, invalidBody, OcpiError, OcpiStatus, type RoutingHeaders } from '@voltmesh/ocpi';
import type { Caller } from '../partner-registers.js';
import { addressedOwnParty, requestingEmsp } from './list-own.js';
import type { SessionSenderDeps } from './list-sessions.js';

/**
 * A partner eMSP sets its driver's charging preferences on one of our CPO's sessions (OCPI PUT
 * {sessions}/{session_id}/charging_preferences); answers the ChargingPreferencesResponse.
 * Our CPO party is the one `OCPI-to-*` names, else our first. The sessions service decides:
 * only the eMSP of the session's token may set them (any other is told the session is unknown).
 */
export async function setChargingPreferences(deps: Pick<SessionSenderDeps, 'sessions' | 'cpoParties' | 'ownParties' | 'heldElsewhere'>, caller: Caller, routing: RoutingHeaders, sessionId: string, body: unknown): Promise<string> {
  const emsp = await requestingEmsp(deps, caller, routing, 'sessions');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  const preferences = chargingPreferencesSchema.safeParse(body);
  if (!preferences.success) throw invalidBody(preferences.error);
  const cpo = addressedOwnParty(routing, deps.cpoParties, 'CPO') ?? deps.cpoParties[0];
  if (!cpo) throw new OcpiError(OcpiStatus.SERVER_ERROR, 'this platform hosts no CPO party');
  try {
    return await deps.sessions.setChargingPreferences({ cpo, sessionId, connectionId: caller.connection.id, emsp, preferences: preferences.data });
  } catch (error) {
    if (!isAppError(error) || error instanceof OcpiError) throw error;
    // The spec's combined answer (REFERENCE §2.6, §6.1): HTTP 404 with 2001, for a session it
    // cannot find and for an EVSE without CHARGING_PREFERENCES_CAPABLE.
    if (error.code === 'NOT_FOUND' || error.code === 'PERMISSION_DENIED') {
      throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `unknown session ${sessionId}`, { httpStatus: 404, cause: error });
    }
    if (error.code === 'FAILED_PRECONDITION') throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, error.message, { httpStatus: 404, cause: error });
    throw error;
  }
}
