import { z } from 'zod';
import { invalidArgument } from '@voltmesh/errors';
import { ocpiUrl, parseJsonField, parseJsonText } from '@voltmesh/ocpi';
import { commands } from '@voltmesh/proto';
import { resultSchemaOf } from '../../domain/command-kinds.js';
import { commandResultSchema, isProfileCommand } from '@voltmesh/ocpi';
import { commandResultTo211 } from '../../edge/v2_1_1/commands.js';
import { pushVersion, type PushJob } from '../push/index.js';

/** Every command object carries its response_url; nothing else of it is needed here. */
const responseUrlOnly = z.object({ response_url: ocpiUrl });

/**
 * OCPI has no TIMEOUT among the ChargingProfileResultTypes (ACCEPTED, REJECTED, UNKNOWN).
 * A profile request our CSMS did not answer in time is reported REJECTED: the eMSP must not
 * assume the limit (or its removal) took effect, and may ask again. UNKNOWN would say "no
 * matching profile found", which for a GET reads as "nothing active" and for a DELETE as
 * "nothing left to clear": both possibly false.
 */
export const PROFILE_TIMEOUT_RESULT = { result: 'REJECTED' } as const;

/**
 * The result of a partner eMSP's command or charging-profile request to our CPO, POSTed to
 * the response_url it gave: delivered until acknowledged (the push engine retries), once per
 * command. The body is the command's result_json validated by its type (CommandResult,
 * ChargingProfileResult, ActiveChargingProfileResult, ClearProfileResult); a profile request
 * that timed out gets PROFILE_TIMEOUT_RESULT. Undefined when the command has no result yet.
 */
export function commandResultPush(command: commands.Command, sequence: string, correlationId: string, version = '2.2.1'): PushJob | undefined {
  if (!command.resultJson) return undefined;
  const { response_url: url } = parseJsonField(responseUrlOnly, command.ocpiJson, `command ${command.id} ocpi_json`);
  const job: PushJob = {
    partnerId: command.connectionId,
    objectKey: `command-results:${command.id}`,
    version: pushVersion(new Date(command.updatedAt || command.requestedAt), sequence),
    method: 'POST',
    url,
    body: resultBody(command),
    correlationId,
  };
  // 2.1.1 posts the result as a CommandResponse, without routing headers (profiles do not exist there).
  if (version === '2.1.1') return { ...job, body: commandResultTo211(commandResultSchema.parse(job.body)).value };
  return {
    ...job,
    routing: {
      from: { countryCode: command.cpo?.countryCode ?? '', partyId: command.cpo?.partyId ?? '' },
      to: { countryCode: command.emsp?.countryCode ?? '', partyId: command.emsp?.partyId ?? '' },
    },
  };
}

function resultBody(command: commands.Command): unknown {
  const field = `command ${command.id} result_json`;
  if (isProfileCommand(command.type) && (command.state === commands.CommandState.COMMAND_STATE_TIMEOUT || resultOf(command.resultJson, field) === 'TIMEOUT')) {
    return PROFILE_TIMEOUT_RESULT;
  }
  const schema = resultSchemaOf(command.type);
  if (!schema) throw invalidArgument(`command ${command.id}: unknown command type ${command.type}`);
  return parseJsonField(schema, command.resultJson, field);
}

/** The `result` the sessions service wrote, whatever the rest of the object is. */
function resultOf(json: string, field: string): unknown {
  const value = parseJsonText(json, field);
  return value !== null && typeof value === 'object' && 'result' in value ? value.result : undefined;
}
