import { notFound } from '@voltmesh/errors';
import { parseJsonField } from '@voltmesh/ocpi';
import type { chargingProfileService } from '@voltmesh/proto';
import type { SessionStore } from '../adapters/session-store.js';
import { learnProfile } from '../domain/active-profile.js';
import { activeChargingProfileSchema } from '@voltmesh/ocpi';
import { sessionKey } from '../domain/session.js';
import type { ProfileWriter } from './profile-writer.js';
import { requiredParty, requiredText } from './request-fields.js';
import { idField } from './session-fields.js';

export interface PartnerActiveProfileDeps {
  profiles: Pick<ProfileWriter, 'update'>;
  sessions: Pick<SessionStore, 'get'>;
  now?: () => Date;
}

/**
 * A partner CPO PUT the ActiveChargingProfile of one of our drivers' sessions at its chargers
 * (the gateway hands it over): stored as the session's known active profile. NOT_FOUND for a
 * session we do not hold in the EMSP role from that CPO over that connection (the one that
 * pushed the session): the gateway answers HTTP 404 + 2001.
 */
export async function receivePartnerActiveProfile(deps: PartnerActiveProfileDeps, request: chargingProfileService.ReceivePartnerActiveProfileRequest): Promise<void> {
  const connectionId = requiredText(request.connectionId, 'connection_id');
  const cpo = requiredParty(request.cpo, 'cpo');
  const sessionId = idField(request.sessionId, 'session_id');
  const profile = parseJsonField(activeChargingProfileSchema, request.activeProfileJson, 'active_profile_json');
  const key = sessionKey(cpo, sessionId);
  const session = (await deps.sessions.get(key))?.record;
  if (session?.role !== 'EMSP' || session.connectionId !== connectionId) throw notFound(`unknown session ${key}`);
  const now = (deps.now ?? (() => new Date()))();
  await deps.profiles.update(key, (current) => learnProfile(current, { key, cpo, sessionId, role: 'EMSP' }, JSON.stringify(profile), now));
}
