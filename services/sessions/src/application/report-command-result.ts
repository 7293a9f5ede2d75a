import { failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { commandResultSchema, commandResultTypeSchema, objectId, zodErrorMessage, type CommandResult } from '@voltmesh/ocpi';
import type { commandService } from '@voltmesh/proto';
import { reportInboundResult } from '../domain/command-transitions.js';
import type { CommandWriter, WriteResult } from './command-writer.js';
import { recordInboundOutcome, type BookkeepingDeps } from './inbound-bookkeeping.js';
import { requiredText } from './request-fields.js';

export interface ReportDeps extends BookkeepingDeps {
  writer: Pick<CommandWriter, 'update'>;
  now?: () => Date;
}

/**
 * Our CSMS reports the outcome of an inbound command. An ACCEPTED command completes with the
 * CommandResult (which the dispatcher posts to the partner); anything else (a repeated report,
 * a report after TIMEOUT) changes nothing and says so (changed=false).
 */
export async function reportCommandResult(deps: ReportDeps, request: commandService.ReportCommandResultRequest): Promise<WriteResult> {
  const id = requiredText(request.commandId, 'command_id').toLowerCase();
  const type = commandResultTypeSchema.safeParse(request.result.toUpperCase());
  if (!type.success) throw invalidArgument(`result: must be one of ${commandResultTypeSchema.options.join(', ')}`);
  const parsed = commandResultSchema.safeParse({ result: type.data, message: request.message ? [{ language: 'en', text: request.message }] : [] });
  if (!parsed.success) throw invalidArgument(zodErrorMessage(parsed.error).replace(/^message\[0\]\.text/, 'message'));
  const result: CommandResult = parsed.data;
  const sessionId = optionalId(request.sessionId, 'session_id');
  const evseUid = optionalId(request.evseUid, 'evse_uid');
  const now = (deps.now ?? (() => new Date()))();

  return deps.writer.update(
    id,
    (command) => {
      const outcome = reportInboundResult(command, { resultJson: JSON.stringify(result), sessionId, evseUid }, now);
      if ('refused' in outcome) throw failedPrecondition(outcome.refused);
      if (outcome.changed && command.type === 'START_SESSION' && result.result === 'ACCEPTED' && !outcome.command.sessionId) {
        throw invalidArgument('session_id: required when a START_SESSION is ACCEPTED (a later STOP_SESSION names it)');
      }
      return outcome;
    },
    (next) => recordInboundOutcome(deps, next, result.result, now),
  );
}

function optionalId(value: string, field: string): string {
  if (!value) return '';
  const parsed = objectId.safeParse(value);
  if (!parsed.success) throw invalidArgument(`${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
