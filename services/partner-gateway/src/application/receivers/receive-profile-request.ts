import { z } from 'zod';
import { isAppError } from '@voltmesh/errors';
import { invalidBody, objectId, OcpiError, OcpiStatus, ocpiUrl, type RoutingHeaders } from '@voltmesh/ocpi';
import type { ChargingProfilesClient } from '../../adapters/charging-profiles-client.js';
import type { Party } from '../../adapters/sessions-client.js';
import { setChargingProfileSchema, type ChargingProfileResponse } from '@voltmesh/ocpi';
import type { ProfileCommandType } from '@voltmesh/ocpi';
import type { Caller } from '../partner-registers.js';
import { addressedOwnParty, requestingEmsp, type EmspScope } from '../senders/list-own.js';

export interface ProfileRequestDeps extends EmspScope {
  profiles: Pick<ChargingProfilesClient, 'receiveRequest'>;
  /** Our CPO parties; `OCPI-to-*` picks one, else the first. */
  cpoParties: readonly Party[];
  /** Why a response_url may not be called (private address, not http), or undefined. */
  refusedUrl(url: string): Promise<string | undefined>;
  /** Seconds we announce in ChargingProfileResponse.timeout (CHARGING_PROFILE_TIMEOUT_S). */
  timeoutSeconds: number;
}

/** What arrived: a PUT's body, or a GET's or DELETE's query string. */
export type ProfileRequest = { method: 'PUT'; body: unknown } | { method: 'GET'; query: unknown } | { method: 'DELETE'; query: unknown };

const TYPE_OF = { PUT: 'SET_CHARGING_PROFILE', GET: 'GET_ACTIVE_CHARGING_PROFILE', DELETE: 'CLEAR_PROFILE' } as const satisfies Record<ProfileRequest['method'], ProfileCommandType>;

/** One query parameter, given once: a repeated one (`?a=1&a=2`) is an array and refused. */
const queryValue = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once') });
const getQuerySchema = z.object({
  duration: queryValue().regex(/^\d{1,9}$/, 'must be a whole number of seconds').transform(Number),
  response_url: queryValue().pipe(ocpiUrl),
});
const deleteQuerySchema = z.object({ response_url: queryValue().pipe(ocpiUrl) });

/**
 * A partner eMSP (or a hub for one) sets, reads or clears the charging profile of one of our
 * CPO's sessions (OCPI 2.2.1 §11, CPO Receiver `PUT`/`GET`/`DELETE {chargingprofiles}/{session_id}`).
 * Checked before anything reaches our CSMS: the eMSP asking (its eMSP role, as for sessions),
 * the session id, the body or query (2001 naming the field) and the response_url (http(s),
 * no private address). Our CPO party is the one `OCPI-to-*` names, else our first. The
 * sessions service stores the request (a Command) before we answer with its
 * ChargingProfileResponse; it decides whose session it is (UNKNOWN_SESSION otherwise).
 */
export async function receiveProfileRequest(deps: ProfileRequestDeps, caller: Caller, routing: RoutingHeaders, rawSessionId: string, request: ProfileRequest): Promise<ChargingProfileResponse> {
  const emsp = await requestingEmsp(deps, caller, routing, 'chargingprofiles');
  const sessionId = objectId.safeParse(rawSessionId);
  if (!sessionId.success) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `session_id: ${sessionId.error.issues[0]?.message ?? 'invalid'}`);
  const object = parseRequest(request);
  const urlProblem = await deps.refusedUrl(object.response_url);
  if (urlProblem) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `response_url: ${urlProblem}`);
  const cpo = addressedOwnParty(routing, deps.cpoParties, 'CPO') ?? deps.cpoParties[0];
  if (!cpo) throw new OcpiError(OcpiStatus.SERVER_ERROR, 'this platform hosts no CPO party');
  try {
    return await deps.profiles.receiveRequest({
      connectionId: caller.connection.id,
      type: TYPE_OF[request.method],
      cpo,
      sessionId: sessionId.data,
      emsp,
      ocpiObject: object,
      timeoutSeconds: deps.timeoutSeconds,
    });
  } catch (error) {
    // The contract answers UNKNOWN_SESSION itself; a NOT_FOUND (or PERMISSION_DENIED) from it
    // means the same to the eMSP, and OCPI has an answer for it.
    if (isAppError(error) && !(error instanceof OcpiError) && (error.code === 'NOT_FOUND' || error.code === 'PERMISSION_DENIED')) return { result: 'UNKNOWN_SESSION', timeout: 0 };
    throw error;
  }
}

function parseRequest(request: ProfileRequest): { response_url: string } {
  if (request.method === 'PUT') {
    const { body } = request;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
    const parsed = setChargingProfileSchema.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error);
    return parsed.data;
  }
  const parsed = (request.method === 'GET' ? getQuerySchema : deleteQuerySchema).safeParse(request.query ?? {});
  if (!parsed.success) throw invalidBody(parsed.error);
  return parsed.data;
}
