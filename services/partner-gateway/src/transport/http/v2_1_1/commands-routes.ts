import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { commandResponseSchema, OcpiError, ocpiErrorBody, OcpiStatus, ocpiSuccess } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { RateLimiter } from '../../../adapters/rate-limiter.js';
import { receiveCommand, type CommandReceiverDeps } from '../../../application/receivers/receive-command.js';
import { receiveCommandResult, type CommandResultDeps } from '../../../application/receivers/receive-command-result.js';
import { commandFrom211, commandResponseTo211, commandResultFrom211 } from '../../../edge/v2_1_1/commands.js';
import { callerOf } from '../route-helpers.js';
import { parse211, V211, type Edge211 } from './edge-211.js';

const commandParams = z.object({ command: z.string() });
const resultParams = z.object({ command: z.string(), command_id: z.string() });

/**
 * Commands for 2.1.1 partners:
 * - CPO Receiver `POST /ocpi/2.1.1/cpo/commands/{command}` (no CANCEL_RESERVATION in 2.1.1):
 *   the same checks and rate limit as 2.2.1, answered with a 2.1.1 CommandResponse `{result}`;
 *   our result later goes to the eMSP's response_url as a 2.1.1 CommandResponse too;
 * - eMSP `POST /ocpi/2.1.1/emsp/commands/{command}/{command_id}`: the response_url of our
 *   commands to a 2.1.1 CPO, where it posts the result as a CommandResponse.
 */
export function registerCommandRoutes211(app: FastifyInstance, edge: Edge211, receiver: CommandReceiverDeps, results: CommandResultDeps, limiter: Pick<RateLimiter, 'take'>): void {
  const config = { auth: 'registered' as const };
  app.post(`${V211}/cpo/commands/:command`, { config }, async (request, reply) => {
    const caller = callerOf(request);
    const waitSeconds = limiter.take(caller.connection.id);
    if (waitSeconds > 0) {
      return reply.code(429).header('retry-after', String(waitSeconds)).send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, `too many commands: retry after ${waitSeconds} s`));
    }
    const { command } = commandParams.parse(request.params);
    const type = v211.commandTypeSchema.safeParse(command);
    if (!type.success) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `command: ${command} is not one of ${v211.commandTypeSchema.options.join(', ')}`, { httpStatus: 404 });
    const emsp = caller.connection.roles[0];
    if (!emsp) throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'this connection names no party');
    const mapped = edge.inbound(request, 'commands', command, () =>
      commandFrom211(type.data, parse211(v211.commandSchemas[type.data], request.body), { owner: { countryCode: emsp.countryCode, partyId: emsp.partyId } }),
    );
    try {
      const response = await receiveCommand(receiver, caller, type.data, {}, mapped.value);
      return ocpiSuccess(edge.outbound(request, 'commands', command, () => commandResponseTo211(response)), mapped.message);
    } catch (error) {
      // A refusal carries a 2.2.1 CommandResponse (REJECTED): answered in 2.1.1's shape.
      const refused = error instanceof OcpiError ? commandResponseSchema.safeParse(error.data) : undefined;
      if (!error || !(error instanceof OcpiError) || !refused?.success) throw error;
      throw new OcpiError(error.ocpiStatus, error.message, { httpStatus: error.httpStatus, data: commandResponseTo211(refused.data).value });
    }
  });
  app.post(`${V211}/emsp/commands/:command/:command_id`, { config }, async (request) => {
    const params = resultParams.parse(request.params);
    const mapped = edge.inbound(request, 'commands', params.command_id, () => commandResultFrom211(parse211(v211.commandResponseSchema, request.body)));
    await receiveCommandResult(results, callerOf(request), { module: 'commands', type: params.command, commandId: params.command_id }, mapped.value);
    return ocpiSuccess(undefined, mapped.message);
  });
}
