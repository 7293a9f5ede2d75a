import type { ZodError } from 'zod';
import { invalidArgument } from '@voltmesh/errors';
import { commandResponseSchema, commandResultSchema, parseOcpiDateTime, zodErrorMessage, parseJsonText } from '@voltmesh/ocpi';
import type { commands } from '@voltmesh/proto';
import { learnProfile } from '../domain/active-profile.js';
import { profileResultSchemas } from '../domain/charging-profile.js';
import { activeChargingProfileResultSchema, chargingProfileResponseSchema, type ActiveChargingProfile } from '@voltmesh/ocpi';
import { isProfileCommand, type AnyCommandType } from '../domain/command.js';
import { applyPartnerAnswer, type PartnerAnswer } from '../domain/command-transitions.js';
import { sessionKey } from '../domain/session.js';
import type { CommandWriter, WriteResult } from './command-writer.js';
import type { ProfileWriter } from './profile-writer.js';

export interface PartnerCommandEventDeps {
  writer: Pick<CommandWriter, 'update'>;
  profiles: Pick<ProfileWriter, 'update'>;
}

/**
 * What the gateway learnt about one of our outbound commands (gateway.partner-command.v1): the
 * CPO's answer, its result, or that it could not be delivered. The answer and the result are
 * read by the command's type: a CommandResponse / CommandResult for a command, a
 * ChargingProfileResponse / ChargingProfileResult / ActiveChargingProfileResult /
 * ClearProfileResult for a charging-profile request. An ACCEPTED ActiveChargingProfileResult
 * that completes our GET also becomes the session's known active profile (unless a newer one
 * was received meanwhile). An event for an unknown command (NOT_FOUND), an inbound one, from
 * another connection or not of the command's type (INVALID_ARGUMENT) is refused, which sends it
 * to the DLQ.
 */
export async function applyPartnerCommandEvent(deps: PartnerCommandEventDeps, event: commands.PartnerCommandEvent, now: () => Date = () => new Date()): Promise<WriteResult> {
  if (!event.commandId) throw invalidArgument('PartnerCommandEvent.command_id: required');
  if (event.responseJson === undefined && event.resultJson === undefined && event.notDelivered === undefined) {
    throw invalidArgument('PartnerCommandEvent: none of response_json, result_json, not_delivered is set');
  }
  if (!event.connectionId && event.notDelivered === undefined) throw invalidArgument('PartnerCommandEvent.connection_id: required with a response or a result');
  const receivedAt = event.receivedAt ? parseOcpiDateTime(event.receivedAt) : now();
  if (!receivedAt) throw invalidArgument(`PartnerCommandEvent.received_at: not an RFC 3339 UTC date-time: ${event.receivedAt}`);
  // The profile the result carried, read on the attempt that is saved.
  let learnt: ActiveChargingProfile | undefined;
  return deps.writer.update(
    event.commandId.toLowerCase(),
    (command) => {
      const answer = answerOf(event, command.type);
      learnt = answer.kind === 'result' ? answer.profile : undefined;
      const outcome = applyPartnerAnswer(command, event.connectionId, answer, receivedAt, now());
      if ('refused' in outcome) throw invalidArgument(outcome.refused);
      return outcome;
    },
    async (next) => {
      const profile = learnt;
      if (!profile || next.type !== 'GET_ACTIVE_CHARGING_PROFILE' || !next.sessionId) return;
      const key = sessionKey(next.cpo, next.sessionId);
      await deps.profiles.update(key, (current) => learnProfile(current, { key, cpo: next.cpo, sessionId: next.sessionId, role: 'EMSP' }, JSON.stringify(profile), receivedAt));
    },
  );
}

function answerOf(event: commands.PartnerCommandEvent, type: AnyCommandType): PartnerAnswer & { profile?: ActiveChargingProfile } {
  if (event.responseJson !== undefined) {
    const json = parseJsonText(event.responseJson, 'PartnerCommandEvent.response_json');
    if (isProfileCommand(type)) {
      const parsed = chargingProfileResponseSchema.safeParse(json);
      if (!parsed.success) throw invalidArgument(`PartnerCommandEvent.response_json: not a ChargingProfileResponse (a ${type}): ${zodErrorMessage(parsed.error)}`);
      return { kind: 'profileResponse', response: parsed.data, responseJson: JSON.stringify(parsed.data) };
    }
    const parsed = commandResponseSchema.safeParse(json);
    if (!parsed.success) throw invalidArgument(`PartnerCommandEvent.response_json: ${zodErrorMessage(parsed.error)}`);
    return { kind: 'response', response: parsed.data, responseJson: JSON.stringify(parsed.data) };
  }
  if (event.resultJson !== undefined) {
    const json = parseJsonText(event.resultJson, 'PartnerCommandEvent.result_json');
    if (isProfileCommand(type)) {
      const notOfType = (error: ZodError) => invalidArgument(`PartnerCommandEvent.result_json: not the result of a ${type}: ${zodErrorMessage(error)}`);
      if (type === 'GET_ACTIVE_CHARGING_PROFILE') {
        const parsed = activeChargingProfileResultSchema.safeParse(json);
        if (!parsed.success) throw notOfType(parsed.error);
        return { kind: 'result', resultJson: JSON.stringify(parsed.data), ...(parsed.data.profile ? { profile: parsed.data.profile } : {}) };
      }
      const parsed = profileResultSchemas[type].safeParse(json);
      if (!parsed.success) throw notOfType(parsed.error);
      return { kind: 'result', resultJson: JSON.stringify(parsed.data) };
    }
    const parsed = commandResultSchema.safeParse(json);
    if (!parsed.success) throw invalidArgument(`PartnerCommandEvent.result_json: ${zodErrorMessage(parsed.error)}`);
    return { kind: 'result', resultJson: JSON.stringify(parsed.data) };
  }
  return { kind: 'notDelivered', reason: event.notDelivered ?? '' };
}
