import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ocpiErrorBody, OcpiStatus, ocpiSuccess, parseRoutingHeaders } from '@voltmesh/ocpi';
import type { RateLimiter } from '../../adapters/rate-limiter.js';
import { receiveCommand, type CommandReceiverDeps } from '../../application/receivers/receive-command.js';
import { receiveCommandResult, type CommandResultDeps } from '../../application/receivers/receive-command-result.js';
import { callerOf } from './route-helpers.js';

const commandParams = z.object({ command: z.string() });
const resultParams = z.object({ command: z.string(), command_id: z.string() });

/**
 * Commands in both roles:
 * - CPO Receiver `POST /ocpi/2.2.1/cpo/commands/{command}`: partner eMSPs command our chargers,
 *   within a per-partner rate limit (HTTP 429 with Retry-After beyond it);
 * - eMSP `POST /ocpi/2.2.1/emsp/commands/{command}/{command_id}`: the response_url of our own
 *   commands, where partner CPOs post the CommandResult.
 */
export function registerCommandRoutes(app: FastifyInstance, receiver: CommandReceiverDeps, results: CommandResultDeps, limiter: Pick<RateLimiter, 'take'>): void {
  const config = { auth: 'registered' as const };
  app.post('/ocpi/2.2.1/cpo/commands/:command', { config }, async (request, reply) => {
    const caller = callerOf(request);
    const waitSeconds = limiter.take(caller.connection.id);
    if (waitSeconds > 0) {
      return reply
        .code(429)
        .header('retry-after', String(waitSeconds))
        .send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, `too many commands: retry after ${waitSeconds} s`));
    }
    const { command } = commandParams.parse(request.params);
    return ocpiSuccess(await receiveCommand(receiver, caller, command, parseRoutingHeaders(request.headers), request.body));
  });
  app.post('/ocpi/2.2.1/emsp/commands/:command/:command_id', { config }, async (request) => {
    const params = resultParams.parse(request.params);
    await receiveCommandResult(results, callerOf(request), { module: 'commands', type: params.command, commandId: params.command_id }, request.body);
    return ocpiSuccess();
  });
}
