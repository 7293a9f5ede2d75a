import type { z } from 'zod';
import { commandResponseSchema, joinUrl, parseJsonText, zodErrorMessage } from '@voltmesh/ocpi';
import type { commands } from '@voltmesh/proto';
import { chargingProfileResponseSchema, clearProfileSchema, getActiveChargingProfileSchema, setChargingProfileSchema } from '@voltmesh/ocpi';
import { moduleOfCommand } from '../../domain/command-kinds.js';

/**
 * How one of our outbound commands goes to the partner CPO, independent of where it lives:
 * the module whose Receiver endpoint to call, the method, the path under that endpoint, the
 * query, the body, and what its answer must be.
 */
export interface OutboundRequest {
  module: 'commands' | 'chargingprofiles';
  method: 'POST' | 'PUT' | 'GET' | 'DELETE';
  /** Segments appended to the endpoint URL (each URL-encoded). */
  path: readonly string[];
  query?: Record<string, string>;
  body?: unknown;
  /** The envelope's `data` on success: a CommandResponse or a ChargingProfileResponse. */
  answer: z.ZodType;
  /** What an OCPI 2xxx refusal without data means: a REJECTED response, in the answer's shape. */
  refusal(statusMessage: string | undefined): unknown;
}

/**
 * Commands (OCPI §10) are `POST {commands}/{TYPE}` with the command object; charging-profile
 * requests (§11) address the session: SET_CHARGING_PROFILE `PUT {chargingprofiles}/{session_id}`
 * with the SetChargingProfile, GET_ACTIVE_CHARGING_PROFILE `GET …/{session_id}?duration=&response_url=`,
 * CLEAR_PROFILE `DELETE …/{session_id}?response_url=`. A command that cannot be sent as stored
 * (unknown type, no session, a body that is not what its type needs) is a problem text: it is
 * reported not delivered and no call is made.
 */
export function outboundRequest(command: commands.Command): OutboundRequest | { problem: string } {
  const module = moduleOfCommand(command.type);
  if (!module) return { problem: `unknown command type ${command.type}` };
  let object: unknown;
  try {
    object = parseJsonText(command.ocpiJson, 'ocpi_json');
  } catch {
    return { problem: 'the command body is not JSON' };
  }
  if (module === 'commands') {
    return { module, method: 'POST', path: [command.type], body: object, answer: commandResponseSchema, refusal: (text) => ({ result: 'REJECTED', timeout: 0, message: messageOf(text) }) };
  }
  if (!command.sessionId) return { problem: `the ${command.type} command names no session` };
  const profile = { module, path: [command.sessionId], answer: chargingProfileResponseSchema, refusal: () => ({ result: 'REJECTED', timeout: 0 }) };
  const invalid = (error: z.ZodError) => ({ problem: `the ${command.type} command's ocpi_json is not valid: ${zodErrorMessage(error)}` });
  switch (command.type) {
    case 'SET_CHARGING_PROFILE': {
      const parsed = setChargingProfileSchema.safeParse(object);
      return parsed.success ? { ...profile, method: 'PUT', body: parsed.data } : invalid(parsed.error);
    }
    case 'GET_ACTIVE_CHARGING_PROFILE': {
      const parsed = getActiveChargingProfileSchema.safeParse(object);
      return parsed.success ? { ...profile, method: 'GET', query: { duration: String(parsed.data.duration), response_url: parsed.data.response_url } } : invalid(parsed.error);
    }
    default: {
      // CLEAR_PROFILE, the last of the three profile types.
      const parsed = clearProfileSchema.safeParse(object);
      return parsed.success ? { ...profile, method: 'DELETE', query: { response_url: parsed.data.response_url } } : invalid(parsed.error);
    }
  }
}

/** The absolute URL of the request under the partner's endpoint, with its query. */
export function outboundUrl(endpointUrl: string, request: Pick<OutboundRequest, 'path' | 'query'>): string {
  const url = joinUrl(endpointUrl, ...request.path);
  return request.query ? `${url}?${new URLSearchParams(request.query).toString()}` : url;
}

const messageOf = (text: string | undefined) => (text ? [{ language: 'en', text: text.slice(0, 512) }] : []);
