import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isAppError } from '@voltmesh/errors';
import { invalidBody, OcpiError, ocpiErrorBody, OcpiStatus, parseAuthorizationHeader } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import type { ConnectionStore } from '../../adapters/connection-store.js';
import type { TtlCache } from '../../adapters/ttl-cache.js';
import type { Connection } from '../../domain/connection.js';
import type { Caller } from '../../application/partner-registers.js';

/**
 * What a route accepts as credentials:
 * - `registration`: any live token, including a pending registration token (token A), for the
 *   versions and credentials modules;
 * - `registered`: only the token of a registered partner (functional modules).
 */
export type AuthLevel = 'registration' | 'registered';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthLevel;
  }
  interface FastifyRequest {
    caller?: Caller;
    correlationId: string;
  }
}

const HEADER_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * OCPI transport rules for every route of the partner API: X-Request-ID and X-Correlation-ID
 * echoed (generated when absent: lax and 2.1.1 partners omit them), token → partner
 * (401 when unknown), and every error answered in the OCPI envelope.
 */
export function registerOcpiConventions(app: FastifyInstance, deps: { store: ConnectionStore; tokens: TtlCache<Connection>; logger: Logger }): void {
  app.decorateRequest('caller', undefined);
  app.decorateRequest('correlationId', '');

  app.addHook('onRequest', async (request, reply) => {
    const correlation = request.headers['x-correlation-id'];
    request.correlationId = typeof correlation === 'string' && HEADER_ID.test(correlation) ? correlation : randomUUID();
    void reply.header('x-request-id', request.id).header('x-correlation-id', request.correlationId);

    const level = request.routeOptions.config.auth;
    if (!level) return;
    const caller = await authenticate(deps.store, level === 'registered' ? deps.tokens : undefined, request);
    if (!caller) {
      return reply.code(401).send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, 'missing or unknown credentials token'));
    }
    if (level === 'registered' && caller.connection.state !== 'REGISTERED') {
      return reply.code(401).send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, 'a registration token (token A) is only valid on versions and credentials'));
    }
    request.caller = { ...caller, correlationId: request.correlationId };
    return undefined;
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, `no OCPI endpoint ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.setErrorHandler((error: FastifyError | Error, request, reply) => sendError(error, request, reply, deps.logger));
}

async function authenticate(store: ConnectionStore, cache: TtlCache<Connection> | undefined, request: FastifyRequest): Promise<Omit<Caller, 'correlationId'> | undefined> {
  // Base64 per 2.2.1, raw from lax partners: try each reading of the header.
  const readings = parseAuthorizationHeader(request.headers.authorization);
  for (const token of readings) {
    const cached = cache?.get(token);
    if (cached) return { connection: cached, token };
  }
  for (const token of readings) {
    const connection = await store.findByInboundToken(token);
    if (connection) {
      // Only registered partners on functional routes: handshake routes always read the store.
      if (connection.state === 'REGISTERED') cache?.set(token, connection);
      return { connection, token };
    }
  }
  return undefined;
}

function sendError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  if (error instanceof OcpiError) {
    const body = ocpiErrorBody(error.ocpiStatus, error.message);
    return reply.code(error.httpStatus).send(error.data === undefined ? body : { data: error.data, ...body });
  }
  if (error instanceof z.ZodError) {
    const ocpi = invalidBody(error);
    return reply.code(ocpi.httpStatus).send(ocpiErrorBody(ocpi.ocpiStatus, ocpi.message));
  }
  const code = 'code' in error ? error.code : undefined;
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send(ocpiErrorBody(OcpiStatus.INVALID_PARAMETERS, `request body is not valid JSON: ${error.message}`));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.code(415).send(ocpiErrorBody(OcpiStatus.INVALID_PARAMETERS, 'Content-Type must be application/json'));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send(ocpiErrorBody(OcpiStatus.INVALID_PARAMETERS, 'request body is too large'));
    default:
      break;
  }
  if (isAppError(error)) {
    if (error.code === 'INVALID_ARGUMENT') return reply.code(200).send(ocpiErrorBody(OcpiStatus.INVALID_PARAMETERS, error.message));
    if (error.code === 'NOT_FOUND') return reply.code(404).send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, error.message));
    if (error.retryable) {
      logger.warn({ err: error, url: request.url }, 'dependency unavailable');
      return reply.code(503).send(ocpiErrorBody(OcpiStatus.SERVER_ERROR, 'temporarily unavailable, retry later'));
    }
  }
  const status = 'statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
  if (status >= 500) logger.error({ err: error, method: request.method, url: request.url }, 'unexpected error');
  return reply.code(status).send(ocpiErrorBody(status < 500 ? OcpiStatus.CLIENT_ERROR : OcpiStatus.SERVER_ERROR, status < 500 ? error.message : 'internal error'));
}
