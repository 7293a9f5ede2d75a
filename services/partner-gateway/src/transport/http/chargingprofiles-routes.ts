import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ocpiSuccess, parseRoutingHeaders } from '@voltmesh/ocpi';
import type { RateLimiter } from '../../adapters/rate-limiter.js';
import { receiveActiveProfile, type ActiveProfileReceiverDeps } from '../../application/receivers/receive-active-profile.js';
import { receiveCommandResult, type CommandResultDeps } from '../../application/receivers/receive-command-result.js';
import { receiveProfileRequest, type ProfileRequest, type ProfileRequestDeps } from '../../application/receivers/receive-profile-request.js';
import type { ChargingProfileResponse } from '@voltmesh/ocpi';
import { callerOf } from './route-helpers.js';

const sessionParams = z.object({ session_id: z.string() });
const resultParams = z.object({ command_id: z.string() });

/** The path of our response_urls for charging-profile results: `${PUBLIC_URL}${RESULTS_PATH}/{command_id}`. */
export const PROFILE_RESULTS_PATH = '/ocpi/2.2.1/emsp/chargingprofiles/results';

/** What a partner beyond its rate gets: OCPI has an answer for exactly this (§11, ChargingProfileResponseType). */
const TOO_OFTEN: ChargingProfileResponse = { result: 'TOO_OFTEN', timeout: 0 };

/**
 * ChargingProfiles in both roles (OCPI 2.2.1 §11):
 * - CPO Receiver `PUT`/`GET`/`DELETE /ocpi/2.2.1/cpo/chargingprofiles/{session_id}`: partner
 *   eMSPs set, read or clear the profile of our sessions of their drivers, within a per-partner
 *   rate (beyond it: status 1000 with a TOO_OFTEN ChargingProfileResponse, not HTTP 429);
 * - eMSP Sender `PUT /ocpi/2.2.1/emsp/chargingprofiles/{session_id}`: partner CPOs push the
 *   ActiveChargingProfile of our drivers' sessions;
 * - eMSP `POST /ocpi/2.2.1/emsp/chargingprofiles/results/{command_id}`: the response_url of our
 *   own profile requests, where partner CPOs post the result.
 */
export function registerChargingProfileRoutes(
  app: FastifyInstance,
  receiver: ProfileRequestDeps,
  sender: ActiveProfileReceiverDeps,
  results: CommandResultDeps,
  limiter: Pick<RateLimiter, 'take'>,
): void {
  const config = { auth: 'registered' as const };
  const receive = async (request: FastifyRequest, what: ProfileRequest) => {
    const caller = callerOf(request);
    if (limiter.take(caller.connection.id) > 0) return ocpiSuccess(TOO_OFTEN);
    const { session_id: sessionId } = sessionParams.parse(request.params);
    return ocpiSuccess(await receiveProfileRequest(receiver, caller, parseRoutingHeaders(request.headers), sessionId, what));
  };
  const path = '/ocpi/2.2.1/cpo/chargingprofiles/:session_id';
  app.put(path, { config }, async (request) => receive(request, { method: 'PUT', body: request.body }));
  app.get(path, { config }, async (request) => receive(request, { method: 'GET', query: request.query }));
  app.delete(path, { config }, async (request) => receive(request, { method: 'DELETE', query: request.query }));

  app.put('/ocpi/2.2.1/emsp/chargingprofiles/:session_id', { config }, async (request) => {
    const { session_id: sessionId } = sessionParams.parse(request.params);
    await receiveActiveProfile(sender, callerOf(request), parseRoutingHeaders(request.headers), sessionId, request.body);
    return ocpiSuccess();
  });
  app.post(`${PROFILE_RESULTS_PATH}/:command_id`, { config }, async (request) => {
    const { command_id: commandId } = resultParams.parse(request.params);
    await receiveCommandResult(results, callerOf(request), { module: 'chargingprofiles', commandId }, request.body);
    return ocpiSuccess();
  });
}
