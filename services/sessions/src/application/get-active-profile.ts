import { notFound } from '@voltmesh/errors';
import type { chargingProfileService } from '@voltmesh/proto';
import type { ProfileStore } from '../adapters/profile-store.js';
import type { SessionStore } from '../adapters/session-store.js';
import { sessionKey } from '../domain/session.js';
import { requiredParty } from './request-fields.js';
import { idField } from './session-fields.js';

export interface GetActiveProfileDeps {
  profiles: Pick<ProfileStore, 'get'>;
  sessions: Pick<SessionStore, 'get'>;
}

/**
 * The latest ActiveChargingProfile known for a session of either role (reported by our CSMS,
 * or received from the partner CPO) and when it came; both empty for a known session without
 * one. NOT_FOUND for a session we do not know at all.
 */
export async function getActiveProfile(deps: GetActiveProfileDeps, request: chargingProfileService.GetActiveProfileRequest): Promise<chargingProfileService.GetActiveProfileResponse> {
  const key = sessionKey(requiredParty(request.cpo, 'cpo'), idField(request.sessionId, 'session_id'));
  const record = (await deps.profiles.get(key))?.record;
  if (record?.profileJson) return { activeProfileJson: record.profileJson, updatedAt: record.updatedAt };
  if (!(await deps.sessions.get(key))) throw notFound(`unknown session ${key}`);
  return { activeProfileJson: '', updatedAt: '' };
}
