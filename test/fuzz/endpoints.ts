/**
 * Every OCPI route the partner gateway serves (services/partner-gateway/src/transport/http/*-routes.ts),
 * each tied to the operation of the OpenAPI description it implements and to the partner role
 * that calls it. The description's paths are role-less (`/sessions/...`); ours carry the
 * interface role (`/emsp/sessions/...` is our eMSP Receiver, `/cpo/sessions` our CPO Sender).
 */
import { operation, schema, type Operation, type Schema } from './openapi.js';

export type Caller = 'cpo' | 'emsp' | 'hub';

export interface Target {
  /** `METHOD /our/path/{param}` as the tests print it. */
  name: string;
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** Our path under `/ocpi`, with `{param}`s named as in the description. */
  path: string;
  caller: Caller;
  op: Operation;
  /** Where the description has no body schema of its own (webhooks reuse one), the body's. */
  body?: Schema;
  /** A Receiver write whose object can be read back by GET on the same path. */
  readBack?: boolean;
}

function target(method: Target['method'], path: string, caller: Caller, openapi: [string, string], extra: Partial<Target> = {}): Target {
  const op = operation(openapi[0], openapi[1]);
  return { name: `${method} ${path}`, method, path, caller, op, ...(op.requestBody ? { body: op.requestBody } : {}), ...extra };
}

const CMDS = ['CANCEL_RESERVATION', 'RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'] as const;
const LOCATION = '/2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}';
const RECEIVER_LOCATION = '/locations/{country_code}/{party_id}/{location_id}';

export const TARGETS: Target[] = [
  target('GET', '/versions', 'emsp', ['/versions', 'get']),
  target('GET', '/{version}', 'emsp', ['/versions/{version}', 'get']),
  target('GET', '/2.2.1/credentials', 'emsp', ['/credentials', 'get']),
  // Registered callers: POST is HTTP 405; PUT with an unreachable url fails the handshake (3001).
  target('POST', '/2.2.1/credentials', 'emsp', ['/credentials', 'post']),
  target('PUT', '/2.2.1/credentials', 'emsp', ['/credentials', 'put']),

  // eMSP Receiver: partner CPOs push their locations, tariffs, sessions, CDRs.
  ...(['GET', 'PUT', 'PATCH'] as const).flatMap((method) => [
    target(method, LOCATION, 'cpo', [RECEIVER_LOCATION, method.toLowerCase()], { readBack: method !== 'GET' }),
    target(method, `${LOCATION}/{evse_uid}`, 'cpo', [`${RECEIVER_LOCATION}/{evse_uid}`, method.toLowerCase()], { readBack: method !== 'GET' }),
    target(method, `${LOCATION}/{evse_uid}/{connector_id}`, 'cpo', [`${RECEIVER_LOCATION}/{evse_uid}/{connector_id}`, method.toLowerCase()], { readBack: method !== 'GET' }),
  ]),
  ...(['GET', 'PUT', 'DELETE'] as const).map((method) =>
    target(method, '/2.2.1/emsp/tariffs/{country_code}/{party_id}/{tariff_id}', 'cpo', ['/tariffs/{country_code}/{party_id}/{tariff_id}', method.toLowerCase()], { readBack: method === 'PUT' }),
  ),
  ...(['GET', 'PUT', 'PATCH'] as const).map((method) =>
    target(method, '/2.2.1/emsp/sessions/{country_code}/{party_id}/{session_id}', 'cpo', ['/sessions/{country_code}/{party_id}/{session_id}', method.toLowerCase()], { readBack: method !== 'GET' }),
  ),
  target('POST', '/2.2.1/emsp/cdrs', 'cpo', ['/cdrs', 'post']),
  // The description reads a CDR at `/cdrs/{cdr_id}` (the Location a Receiver chose); ours is by party.
  target('GET', '/2.2.1/emsp/cdrs/{country_code}/{party_id}/{cdr_id}', 'cpo', ['/cdrs/{cdr_id}', 'get']),
  // eMSP Sender, read by partner CPOs.
  target('GET', '/2.2.1/emsp/tokens', 'cpo', ['/tokens', 'get']),
  target('POST', '/2.2.1/emsp/tokens/{token_uid}/authorize', 'cpo', ['/tokens/{token_uid}/authorize', 'post']),
  target('PUT', '/2.2.1/emsp/chargingprofiles/{session_id}', 'cpo', ['/chargingprofiles/{session_id}/activeprofile', 'put']),
  // Our response_urls: results of our commands and charging-profile requests.
  target('POST', '/2.2.1/emsp/commands/{command}/{command_id}', 'cpo', ['webhook:command-result', 'post'], { body: schema('commands.yaml', 'CommandResult') }),
  target('POST', '/2.2.1/emsp/chargingprofiles/results/{command_id}', 'cpo', ['webhook:charging-profile-result', 'post'], { body: schema('charging-profiles.yaml', 'ChargingProfileResult') }),

  // CPO Sender, read by partner eMSPs.
  target('GET', '/2.2.1/cpo/locations', 'emsp', ['/locations', 'get']),
  target('GET', '/2.2.1/cpo/locations/{location_id}', 'emsp', ['/locations/{location_id}', 'get']),
  target('GET', '/2.2.1/cpo/locations/{location_id}/{evse_uid}', 'emsp', ['/locations/{location_id}/{evse_uid}', 'get']),
  target('GET', '/2.2.1/cpo/locations/{location_id}/{evse_uid}/{connector_id}', 'emsp', ['/locations/{location_id}/{evse_uid}/{connector_id}', 'get']),
  target('GET', '/2.2.1/cpo/tariffs', 'emsp', ['/tariffs', 'get']),
  target('GET', '/2.2.1/cpo/sessions', 'emsp', ['/sessions', 'get']),
  target('PUT', '/2.2.1/cpo/sessions/{session_id}/charging_preferences', 'emsp', ['/sessions/{session_id}/charging_preferences', 'put']),
  target('GET', '/2.2.1/cpo/cdrs', 'emsp', ['/cdrs', 'get']),
  // CPO Receiver: partner eMSPs push tokens, send commands and charging profiles.
  ...(['GET', 'PUT', 'PATCH'] as const).map((method) =>
    target(method, '/2.2.1/cpo/tokens/{country_code}/{party_id}/{token_uid}', 'emsp', ['/tokens/{country_code}/{party_id}/{token_uid}', method.toLowerCase()], { readBack: method !== 'GET' }),
  ),
  ...CMDS.map((command) => target('POST', `/2.2.1/cpo/commands/${command}`, 'emsp', [`/commands/${command}`, 'post'])),
  ...(['PUT', 'GET', 'DELETE'] as const).map((method) => target(method, '/2.2.1/cpo/chargingprofiles/{session_id}', 'emsp', ['/chargingprofiles/{session_id}', method.toLowerCase()])),

  // Hub client info, from hubs only.
  ...(['GET', 'PUT'] as const).map((method) =>
    target(method, '/2.2.1/hubclientinfo/{country_code}/{party_id}', 'hub', ['/hubclientinfo/{country_code}/{party_id}', method.toLowerCase()], { readBack: method === 'PUT' }),
  ),
];

/** The description's operations we do not serve, and why (the coverage test holds this list to the truth). */
export const NOT_SERVED: Record<string, string> = {
  deleteCredentials: 'served, but fuzzing it would unregister the fuzzing partner: exercised once, at the end, by a partner of its own',
  getHubClientInfo: 'the Sender side of hub client info (a hub serves it, we are no hub)',
};
