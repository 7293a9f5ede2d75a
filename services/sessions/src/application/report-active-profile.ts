import type { OwnParty } from '@voltmesh/config';
import { failedPrecondition, invalidArgument, notFound } from '@voltmesh/errors';
import { parseJsonField } from '@voltmesh/ocpi';
import type { chargingProfileService } from '@voltmesh/proto';
import type { CommandStore } from '../adapters/command-store.js';
import type { SessionStore } from '../adapters/session-store.js';
import { learnProfile, reportProfileChange } from '../domain/active-profile.js';
import { activeProfileResultJson } from '../domain/charging-profile.js';
import { activeChargingProfileSchema, type ActiveChargingProfile } from '@voltmesh/ocpi';
import { partyKey, sameParty, type CommandState } from '../domain/command.js';
import { reportInboundResult } from '../domain/command-transitions.js';
import { isFinal, sessionKey } from '../domain/session.js';
import type { CommandWriter } from './command-writer.js';
import type { ProfileWriter } from './profile-writer.js';
import { ownParty, requiredParty } from './request-fields.js';
import { idField } from './session-fields.js';

export interface ReportActiveProfileDeps {
  profiles: Pick<ProfileWriter, 'update'>;
  commands: Pick<CommandWriter, 'update'>;
  commandStore: Pick<CommandStore, 'get'>;
  sessions: Pick<SessionStore, 'get'>;
  ownParties: readonly OwnParty[];
  now?: () => Date;
}

/** States of a partner's GET our CSMS was asked to execute: its answer tells us the session's profile. */
const EXECUTED: ReadonlySet<CommandState> = new Set(['ACCEPTED', 'COMPLETED', 'TIMEOUT']);

/**
 * Our CSMS reports the ActiveChargingProfile of one of our CPO's sessions:
 * - with `command_id`, the answer to a partner eMSP's GET_ACTIVE_CHARGING_PROFILE: the command
 *   completes with `{result: ACCEPTED, profile}` (after COMPLETED or TIMEOUT nothing changes),
 *   the profile becomes the session's known one, and nothing is pushed (the eMSP gets it as the
 *   result): `pushed` is false;
 * - without, a change the CSMS learnt of: stored as the session's active profile, and pushed
 *   (ActiveProfileChanged) to the eMSP that successfully set a profile for the session, if any
 *   (OCPI 2.2.1 §11: never otherwise). `pushed` says whether that eMSP gets it.
 */
export async function reportActiveChargingProfile(deps: ReportActiveProfileDeps, request: chargingProfileService.ReportActiveChargingProfileRequest): Promise<{ pushed: boolean }> {
  const profile = parseJsonField(activeChargingProfileSchema, request.activeProfileJson, 'active_profile_json');
  const now = (deps.now ?? (() => new Date()))();
  if (request.commandId) {
    await answerGet(deps, request, profile, now);
    return { pushed: false };
  }
  const cpo = ownParty(request.cpo, deps.ownParties, 'CPO', 'cpo');
  const sessionId = idField(request.sessionId, 'session_id');
  const key = sessionKey(cpo, sessionId);
  const session = await deps.sessions.get(key);
  // A session our CSMS runs: reported (CPO role), or claimed by a partner's START_SESSION it accepted.
  if (!session || (session.record ? session.record.role !== 'CPO' : !session.claim)) throw notFound(`unknown session ${key}`);
  if (session.record && isFinal(session.record)) throw failedPrecondition(`session ${key} is ${session.record.ocpi.status}: it has no active charging profile any more`);
  const written = await deps.profiles.update(key, (current) => reportProfileChange(current, { key, cpo, sessionId, role: 'CPO' }, JSON.stringify(profile), now));
  return { pushed: !!written.stored?.record.setBy };
}

async function answerGet(deps: ReportActiveProfileDeps, request: chargingProfileService.ReportActiveChargingProfileRequest, profile: ActiveChargingProfile, now: Date): Promise<void> {
  const id = request.commandId.toLowerCase();
  const command = (await deps.commandStore.get(id))?.command;
  if (!command) throw notFound(`unknown command ${id}`);
  if (command.direction !== 'INBOUND' || command.type !== 'GET_ACTIVE_CHARGING_PROFILE') {
    throw failedPrecondition(`command ${id} is an ${command.direction.toLowerCase()} ${command.type}: only a partner's GET_ACTIVE_CHARGING_PROFILE is answered with a profile`);
  }
  if (request.cpo?.countryCode || request.cpo?.partyId) {
    const cpo = requiredParty(request.cpo, 'cpo');
    if (!sameParty(cpo, command.cpo)) throw invalidArgument(`cpo: command ${id} is for ${partyKey(command.cpo)}, not ${partyKey(cpo)}`);
  }
  if (request.sessionId && request.sessionId.toUpperCase() !== command.sessionId) throw invalidArgument(`session_id: command ${id} is for session ${command.sessionId}, not ${request.sessionId}`);
  if (EXECUTED.has(command.state)) {
    const key = sessionKey(command.cpo, command.sessionId);
    await deps.profiles.update(key, (current) => learnProfile(current, { key, cpo: command.cpo, sessionId: command.sessionId, role: 'CPO' }, JSON.stringify(profile), now));
  }
  await deps.commands.update(id, (current) => {
    const outcome = reportInboundResult(current, { resultJson: activeProfileResultJson(profile), sessionId: '', evseUid: '' }, now);
    if ('refused' in outcome) throw failedPrecondition(outcome.refused);
    return outcome;
  });
}
