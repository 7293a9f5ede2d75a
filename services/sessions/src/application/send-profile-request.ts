import { randomUUID } from 'node:crypto';
import { failedPrecondition, invalidArgument, notFound } from '@voltmesh/errors';
import { formatOcpiDateTime, joinUrl, parseJsonField, zodErrorMessage } from '@voltmesh/ocpi';
import type { chargingProfileService, common } from '@voltmesh/proto';
import type { StoredCommand } from '../adapters/command-store.js';
import type { SessionStore } from '../adapters/session-store.js';
import { profileRequestSchemas } from '../domain/charging-profile.js';
import { setChargingProfileSchema } from '@voltmesh/ocpi';
import type { ProfileCommandType } from '../domain/command.js';
import { newCommandRecord } from '../domain/command-fields.js';
import { isFinal, sessionKey } from '../domain/session.js';
import type { CommandWriter } from './command-writer.js';
import { requiredParty } from './request-fields.js';
import { idField } from './session-fields.js';

export interface SendProfileDeps {
  writer: Pick<CommandWriter, 'create'>;
  sessions: Pick<SessionStore, 'get'>;
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Smart charging by our eMSP: a SET/GET/CLEAR of the charging profile of one of our drivers'
 * sessions at a partner CPO. The session must be an EMSP-role session we hold (NOT_FOUND
 * otherwise) that has not ended (FAILED_PRECONDITION). The OCPI request object is built with
 * `response_url = {PUBLIC_URL}/ocpi/2.2.1/emsp/chargingprofiles/results/{command_id}` (one
 * form for the three types: the gateway's result route looks the type up by the id), checked
 * with its schema, and stored as a REQUESTED OUTBOUND command addressed to the session: its CPO,
 * the connection that pushed the session, the token's eMSP. The dispatcher sends it (PUT / GET /
 * DELETE {chargingprofiles}/{session_id}) and publishes the CPO's ChargingProfileResponse.
 */
async function send(deps: SendProfileDeps, type: ProfileCommandType, cpoRef: common.PartyRef | undefined, rawSessionId: string, object: Record<string, unknown>): Promise<StoredCommand> {
  const cpo = requiredParty(cpoRef, 'cpo');
  const sessionId = idField(rawSessionId, 'session_id');
  const key = sessionKey(cpo, sessionId);
  const session = (await deps.sessions.get(key))?.record;
  if (session?.role !== 'EMSP') throw notFound(`unknown session ${key}`);
  if (isFinal(session)) throw failedPrecondition(`session ${key} is ${session.ocpi.status}: a charging profile applies to a session in progress`);

  const id = (deps.newId ?? randomUUID)();
  const at = formatOcpiDateTime((deps.now ?? (() => new Date()))());
  const parsed = profileRequestSchemas[type].safeParse({ ...object, response_url: joinUrl(deps.publicUrl, 'ocpi', '2.2.1', 'emsp', 'chargingprofiles', 'results', id) });
  // Only the response_url we built can fail here (the caller's parts were checked): a PUBLIC_URL problem.
  if (!parsed.success) throw invalidArgument(`the ${type} request is not valid: ${zodErrorMessage(parsed.error)}`);
  const record = newCommandRecord({ id, direction: 'OUTBOUND', type, connectionId: session.connectionId, cpo, emsp: session.emsp, state: 'REQUESTED', at }, parsed.data);
  return deps.writer.create({ ...record, sessionId });
}

export async function setChargingProfile(deps: SendProfileDeps, request: chargingProfileService.SetChargingProfileRequest): Promise<StoredCommand> {
  const profile = parseJsonField(setChargingProfileSchema.shape.charging_profile, request.chargingProfileJson, 'charging_profile_json');
  return send(deps, 'SET_CHARGING_PROFILE', request.cpo, request.sessionId, { charging_profile: profile });
}

export async function getActiveChargingProfile(deps: SendProfileDeps, request: chargingProfileService.GetActiveChargingProfileRequest): Promise<StoredCommand> {
  if (request.durationSeconds < 1) throw invalidArgument('duration_seconds: must be at least 1 (the seconds of profile to return)');
  return send(deps, 'GET_ACTIVE_CHARGING_PROFILE', request.cpo, request.sessionId, { duration: request.durationSeconds });
}

export async function clearChargingProfile(deps: SendProfileDeps, request: chargingProfileService.ClearChargingProfileRequest): Promise<StoredCommand> {
  return send(deps, 'CLEAR_PROFILE', request.cpo, request.sessionId, {});
}
