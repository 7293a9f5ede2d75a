import { invalidArgument } from '@voltmesh/errors';
import { joinUrl, parseJsonField } from '@voltmesh/ocpi';
import type { chargingProfileService } from '@voltmesh/proto';
import { activeChargingProfileSchema } from '@voltmesh/ocpi';
import type { Connection } from '../../domain/connection.js';
import { pushVersion, type PushJob } from '../push/index.js';

/**
 * The push of one ActiveChargingProfile of our CPO's session to the eMSP that set a profile on
 * it (OCPI 2.2.1 §11, eMSP Sender `PUT {chargingprofiles}/{session_id}`): to the connection the
 * event names, at its chargingprofiles **SENDER** endpoint (the eMSP's interface that receives
 * these pushes), addressed to the event's eMSP party. Coalesced per partner and session: only
 * the newest profile is sent. The version is the event's revision alone (no clock): a
 * replayed older event is stale, never a newer state.
 *
 * A malformed event throws INVALID_ARGUMENT (the consumer's DLQ); a connection that is gone
 * or offers no such endpoint is `{ skipped }` (nothing to queue: the eMSP can GET it).
 */
export function activeProfilePush(change: chargingProfileService.ActiveProfileChanged, connection: Connection | undefined, correlationId: string): PushJob | { skipped: string } {
  const { cpo, emsp, sessionId } = change;
  if (!cpo?.countryCode || !cpo.partyId) throw invalidArgument('ActiveProfileChanged.cpo: required');
  if (!sessionId) throw invalidArgument('ActiveProfileChanged.session_id: required');
  if (!change.connectionId) throw invalidArgument('ActiveProfileChanged.connection_id: required');
  if (!emsp?.countryCode || !emsp.partyId) throw invalidArgument('ActiveProfileChanged.emsp: required');
  // Revision 0 would make every later change of the session look stale: refuse it loudly.
  if (!/^[1-9]\d{0,15}$/.test(change.revision)) throw invalidArgument(`ActiveProfileChanged.revision: must be 1 to 9999999999999999, got ${change.revision}`);
  const profile = parseJsonField(activeChargingProfileSchema, change.activeProfileJson, 'ActiveProfileChanged.active_profile_json');
  if (connection?.state !== 'REGISTERED') return { skipped: `connection ${change.connectionId} is not registered` };
  const endpoint = connection.endpoints.find((candidate) => candidate.module === 'chargingprofiles' && candidate.interfaceRole === 'SENDER');
  if (!endpoint) return { skipped: `connection ${change.connectionId} offers no chargingprofiles SENDER endpoint` };
  const key = `${cpo.countryCode}*${cpo.partyId}*${sessionId}`.toUpperCase();
  return {
    partnerId: connection.id,
    objectKey: `chargingprofiles:${key}`,
    version: pushVersion(new Date(0), change.revision),
    method: 'PUT',
    url: joinUrl(endpoint.url, sessionId),
    body: profile,
    routing: { from: { countryCode: cpo.countryCode.toUpperCase(), partyId: cpo.partyId.toUpperCase() }, to: { countryCode: emsp.countryCode.toUpperCase(), partyId: emsp.partyId.toUpperCase() } },
    correlationId,
  };
}
