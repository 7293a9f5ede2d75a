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
import { moduleOfRoute, type PartnerRateLimit } from './partner-rate-limit.js';
import { addressedOwner, assertRequestScope } from './routing-scope.js';
import { statusCodeFor211 } from '../../edge/v2_1_1/status-codes.js';

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
/** How much of a refused path an error message repeats. */
const PATH_IN_MESSAGE = 200;

/** The path of a request as the client sent it (still %-encoded), shortened for a message. */
const pathOf = (request: FastifyRequest): string => {
  const path = request.url.split('?')[0] ?? '';
  return path.length > PATH_IN_MESSAGE ? `${path.slice(0, PATH_IN_MESSAGE)}…` : path;
};

/** X-Request-ID and X-Correlation-ID of the answer: the caller's when usable, else generated. */
function correlationIdOf(request: FastifyRequest): string {
  const correlation = request.headers['x-correlation-id'];
  return typeof correlation === 'string' && HEADER_ID.test(correlation) ? correlation : randomUUID();
}

/** A path no route serves (or a module we do not have): HTTP 404, 2000 naming method and path. */
export function answerUnknownEndpoint(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, `no OCPI endpoint ${request.method} ${pathOf(request)}`));
}

/**
 * fastify's `frameworkErrors` option: what its router refuses before any route or hook runs,
 * answered in the OCPI envelope too, naming the path. A malformed %-escape in the path (`%FF`,
 * `%E0%A4%A`: FST_ERR_BAD_URL) is HTTP 400 with 2001; the router's other errors keep their
 * HTTP status (2001 below 500, 3000 from 500 on).
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  const why = error.code === 'FST_ERR_BAD_URL' ? 'has a malformed %-escape' : 'cannot be routed';
  if (status >= 500) request.log.error({ err: error, method: request.method, url: request.url }, 'unexpected router error');
  void reply
    .code(status)
    .header('x-request-id', request.id)
    .header('x-correlation-id', correlationIdOf(request))
    .send(ocpiErrorBody(status < 500 ? OcpiStatus.INVALID_PARAMETERS : OcpiStatus.SERVER_ERROR, `path ${pathOf(request)} ${why}`));
}

/**
 * Options of the partner API's fastify instance that belong to these conventions: the
 * partner's X-Request-ID is the request id, trailing and doubled slashes are ignored, and the
 * router's refusals are answered in the envelope.
 */
export const ocpiServerOptions = {
  requestIdHeader: 'x-request-id',
  routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  frameworkErrors: answerFrameworkError,
};

/**
 * OCPI transport rules for every route of the partner API: X-Request-ID and X-Correlation-ID
 * echoed (generated when absent: lax and 2.1.1 partners omit them), token → partner
 * (401 when unknown), the partner's rate per module (429 with Retry-After beyond it), and every
 * error answered in the OCPI envelope.
 */
export function registerOcpiConventions(
  app: FastifyInstance,
  deps: {
    store: ConnectionStore;
    tokens: TtlCache<Connection>;
    logger: Logger;
    rateLimit?: Pick<PartnerRateLimit, 'take'>;
    /** Our parties (OWN_PARTIES): with them, every functional route checks routing headers and object party first. */
    ownParties?: ReadonlyArray<{ role: string; countryCode: string; partyId: string }>;
  },
): void {
  app.decorateRequest('caller', undefined);
  app.decorateRequest('correlationId', '');

  // Partner bodies are JSON only: without this, fastify's default text/plain parser hands a
  // route a string; now every other type is HTTP 415 like application/xml (see sendError).
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    request.correlationId = correlationIdOf(request);
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
    // Per partner (the connection its token names), per module: before any work is done for it.
    const module = moduleOfRoute(request.routeOptions.url);
    const waitSeconds = deps.rateLimit?.take(caller.connection.id, module) ?? 0;
    if (waitSeconds > 0) {
      return reply
        .code(429)
        .header('retry-after', String(waitSeconds))
        .send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, `too many requests to ${module}: retry after ${waitSeconds} s`));
    }
    return undefined;
  });

  // After the body is parsed (a POSTed CDR names its party), before any handler reads or writes.
  app.addHook('preHandler', async (request) => {
    const { caller } = request;
    const ourParties = deps.ownParties;
    if (!caller || !ourParties || request.routeOptions.config.auth !== 'registered') return;
    const module = moduleOfRoute(request.routeOptions.url);
    const ourRole = module.startsWith('cpo/') ? 'CPO' : module.startsWith('emsp/') ? 'EMSP' : undefined;
    if (!ourRole) return;
    assertRequestScope(caller.connection, request.headers, { ourRole, ourParties, ...addressedOwner(request.params, request.body, request.method) });
  });

  app.setNotFoundHandler(answerUnknownEndpoint);

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
    const match = await store.findByInboundToken(token);
    if (match) {
      const { connection, previousToken } = match;
      if (previousToken) return { connection, token, previousToken };
      // Only registered partners' current tokens on functional routes: handshake routes always
      // read the store, and a rotated token in its grace period must stop at the end of it.
      if (connection.state === 'REGISTERED') cache?.set(token, connection);
      return { connection, token };
    }
  }
  return undefined;
}

function sendError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  if (error instanceof OcpiError) {
    // A 2.1.1 route answers only with status codes 2.1.1 has (2004 and 4xxx are 2.2).
    const is211 = request.routeOptions.url?.startsWith('/ocpi/2.1.1/') === true;
    const body = ocpiErrorBody(is211 ? statusCodeFor211(error.ocpiStatus) : error.ocpiStatus, error.message);
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
      return reply.code(415).send(ocpiErrorBody(OcpiStatus.INVALID_PARAMETERS, `Content-Type must be application/json${contentTypeOf(request)}`));
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

/** What a refused request named as its Content-Type, shortened, for the message. */
function contentTypeOf(request: FastifyRequest): string {
  const type = request.headers['content-type'];
  return type ? `, not ${JSON.stringify(type.slice(0, 100))}` : ' (none was sent)';
}
