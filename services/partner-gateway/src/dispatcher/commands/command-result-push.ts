import { z } from 'zod';
import { commandResultSchema, ocpiUrl, parseJsonField } from '@voltmesh/ocpi';
import type { commands } from '@voltmesh/proto';
import { pushVersion, type PushJob } from '../push/index.js';

/** Every command object carries its response_url; nothing else of it is needed here. */
const responseUrlOnly = z.object({ response_url: ocpiUrl });

/**
 * The CommandResult of a partner eMSP's command to our CPO, POSTed to the response_url it
 * gave: delivered until acknowledged (the push engine retries), once per command. Undefined
 * when the command has no result yet.
 */
export function commandResultPush(command: commands.Command, sequence: string, correlationId: string): PushJob | undefined {
  if (!command.resultJson) return undefined;
  const result = parseJsonField(commandResultSchema, command.resultJson, `command ${command.id} result_json`);
  const { response_url: url } = parseJsonField(responseUrlOnly, command.ocpiJson, `command ${command.id} ocpi_json`);
  return {
    partnerId: command.connectionId,
    objectKey: `command-results:${command.id}`,
    version: pushVersion(new Date(command.updatedAt || command.requestedAt), sequence),
    method: 'POST',
    url,
    body: result,
    routing: {
      from: { countryCode: command.cpo?.countryCode ?? '', partyId: command.cpo?.partyId ?? '' },
      to: { countryCode: command.emsp?.countryCode ?? '', partyId: command.emsp?.partyId ?? '' },
    },
    correlationId,
  };
}
