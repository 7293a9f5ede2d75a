import { isAppError } from '@voltmesh/errors';
import { invalidBody, objectId, OcpiError, OcpiStatus, type RoutingHeaders } from '@voltmesh/ocpi';
import type { ChargingProfilesClient } from '../../adapters/charging-profiles-client.js';
import { activeChargingProfileSchema } from '@voltmesh/ocpi';
import type { Caller } from '../partner-registers.js';
import { requestingParty, type EmspScope } from '../senders/list-own.js';

export interface ActiveProfileReceiverDeps extends EmspScope {
  profiles: Pick<ChargingProfilesClient, 'receiveActiveProfile'>;
}

/**
 * A partner CPO (or a hub for one) PUTs the ActiveChargingProfile of one of our drivers'
 * sessions at its chargers (OCPI 2.2.1 §11, eMSP Sender `PUT {chargingprofiles}/{session_id}`).
 * The CPO is the caller's CPO role (`OCPI-from-*` names one of several; a hub must name it);
 * the body is validated in full (2001 naming the field). The sessions service stores it;
 * a session it does not know for that CPO and connection is HTTP 404 with 2001, as sessions
 * answer elsewhere in this gateway.
 */
export async function receiveActiveProfile(deps: ActiveProfileReceiverDeps, caller: Caller, routing: RoutingHeaders, rawSessionId: string, body: unknown): Promise<void> {
  const cpo = await requestingParty(deps, caller, routing, 'chargingprofiles', 'CPO');
  const sessionId = objectId.safeParse(rawSessionId);
  if (!sessionId.success) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `session_id: ${sessionId.error.issues[0]?.message ?? 'invalid'}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  const profile = activeChargingProfileSchema.safeParse(body);
  if (!profile.success) throw invalidBody(profile.error);
  try {
    await deps.profiles.receiveActiveProfile({ connectionId: caller.connection.id, cpo, sessionId: sessionId.data, profile: profile.data });
  } catch (error) {
    if (!isAppError(error) || error instanceof OcpiError) throw error;
    if (error.code === 'NOT_FOUND' || error.code === 'PERMISSION_DENIED') {
      throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `unknown session ${sessionId.data}`, { httpStatus: 404, cause: error });
    }
    // E.g. a session we never set a profile on: the service says why; the CPO should not retry.
    if (error.code === 'FAILED_PRECONDITION') throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, error.message, { cause: error });
    throw error;
  }
}
