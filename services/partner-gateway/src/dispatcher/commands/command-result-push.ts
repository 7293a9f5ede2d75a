import { commandResultSchema, zodErrorMessage } from '@voltmesh/ocpi';
import type { commands } from '@voltmesh/proto';
import { pushVersion, type PushJob } from '../push/index.js';

/**
 * The CommandResult of a partner eMSP's command to our CPO, POSTed to the response_url it
 * gave: delivered until acknowledged (the push engine retries), once per command. Undefined
 * when the command has no result yet.
 */
export function commandResultPush(command: commands.Command, sequence: string, correlationId: string): PushJob | undefined {
  if (!command.resultJson) return undefined;
  const result = commandResultSchema.safeParse(JSON.parse(command.resultJson));
  if (!result.success) throw new Error(`command ${command.id} result: ${zodErrorMessage(result.error)}`);
  const object = JSON.parse(command.ocpiJson) as { response_url?: unknown };
  if (typeof object.response_url !== 'string') throw new Error(`command ${command.id} has no response_url`);
  return {
    partnerId: command.connectionId,
    objectKey: `command-results:${command.id}`,
    version: pushVersion(new Date(command.updatedAt || command.requestedAt), sequence),
    method: 'POST',
    url: object.response_url,
    body: result.data,
    routing: {
      from: { countryCode: command.cpo?.countryCode ?? '', partyId: command.cpo?.partyId ?? '' },
      to: { countryCode: command.emsp?.countryCode ?? '', partyId: command.emsp?.partyId ?? '' },
    },
    correlationId,
  };
}
