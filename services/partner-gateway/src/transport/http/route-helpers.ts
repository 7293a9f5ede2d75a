import type { FastifyRequest } from 'fastify';
import type { Caller } from '../../application/partner-registers.js';

/** The partner behind a request; the auth hook sets it on every route with `auth: 'registered'`. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`route ${request.routeOptions.url ?? ''} registered without auth`);
  return request.caller;
}

/** Link URLs point at our public address, whatever host or proxy the request came through. */
export const publicRequestUrl = (publicUrl: string, request: FastifyRequest): string => `${publicUrl}${request.url}`;
