import { failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { commandResultSchema, commandResultTypeSchema, objectId, zodErrorMessage, type CommandResult } from '@voltmesh/ocpi';
import type { commandService } from '@voltmesh/proto';
import { profileReportResult } from '../domain/charging-profile.js';
import { chargingProfileResultTypeSchema } from '@voltmesh/ocpi';
import { isProfileCommand } from '../domain/command.js';
import { reportInboundResult } from '../domain/command-transitions.js';
import type { CommandWriter, WriteResult } from './command-writer.js';
import { recordInboundOutcome, type BookkeepingDeps } from './inbound-bookkeeping.js';
import { requiredText } from './request-fields.js';

export interface ReportDeps extends BookkeepingDeps {
  writer: Pick<CommandWriter, 'update'>;
  now?: () => Date;
}

/** Every result a CSMS may report: a CommandResultType, or a ChargingProfileResultType (UNKNOWN is only that). */
const RESULT_TYPES = [...new Set<string>([...commandResultTypeSchema.options, ...chargingProfileResultTypeSchema.options])];

/**
 * Our CSMS reports the outcome of an inbound command. An ACCEPTED command completes with the
 * result (which the dispatcher posts to the partner); anything else (a repeated report, a
 * report after TIMEOUT) changes nothing and says so (changed=false). The result is read by the
 * command's type: a command takes a CommandResultType (result_json = CommandResult with the
 * message), a charging-profile request a ChargingProfileResultType (result_json `{result}`;
 * OCPI has no message there, so `message` is not sent); an ACCEPTED GET_ACTIVE_CHARGING_PROFILE
 * comes with ChargingProfileService.ReportActiveChargingProfile, which carries the profile.
 */
export async function reportCommandResult(deps: ReportDeps, request: commandService.ReportCommandResultRequest): Promise<WriteResult> {
  const id = requiredText(request.commandId, 'command_id').toLowerCase();
  const resultType = request.result.toUpperCase();
  if (!RESULT_TYPES.includes(resultType)) throw invalidArgument(`result: must be one of ${commandResultTypeSchema.options.join(', ')} (commands) or ${chargingProfileResultTypeSchema.options.join(', ')} (charging profiles)`);
  // A command's CommandResult, checked before anything is read (the message too).
  let commandResult: CommandResult | undefined;
  const asCommand = commandResultTypeSchema.safeParse(resultType);
  if (asCommand.success) {
    const parsed = commandResultSchema.safeParse({ result: asCommand.data, message: request.message ? [{ language: 'en', text: request.message }] : [] });
    if (!parsed.success) throw invalidArgument(zodErrorMessage(parsed.error).replace(/^message\[0\]\.text/, 'message'));
    commandResult = parsed.data;
  }
  const sessionId = optionalId(request.sessionId, 'session_id');
  const evseUid = optionalId(request.evseUid, 'evse_uid');
  const now = (deps.now ?? (() => new Date()))();

  return deps.writer.update(
    id,
    (command) => {
      const resultJson = resultJsonFor(command.type, resultType, commandResult);
      const outcome = reportInboundResult(command, { resultJson, sessionId, evseUid }, now);
      if ('refused' in outcome) throw failedPrecondition(outcome.refused);
      if (outcome.changed && command.type === 'START_SESSION' && resultType === 'ACCEPTED' && !outcome.command.sessionId) {
        throw invalidArgument('session_id: required when a START_SESSION is ACCEPTED (a later STOP_SESSION names it)');
      }
      return outcome;
    },
    (next) => recordInboundOutcome(deps, next, resultType, now),
  );
}

function resultJsonFor(type: string, resultType: string, commandResult: CommandResult | undefined): string {
  if (isProfileCommand(type)) {
    const read = profileReportResult(type, resultType);
    if ('problem' in read) throw invalidArgument(`result: ${read.problem}`);
    return read.resultJson;
  }
  if (!commandResult) throw invalidArgument(`result: ${resultType} is a charging-profile result; a ${type} takes one of ${commandResultTypeSchema.options.join(', ')}`);
  return JSON.stringify(commandResult);
}

function optionalId(value: string, field: string): string {
  if (!value) return '';
  const parsed = objectId.safeParse(value);
  if (!parsed.success) throw invalidArgument(`${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
