import type { FastifyInstance } from 'fastify';
import { answerUnknownEndpoint } from './ocpi-conventions.js';

/**
 * The fallback under the functional module prefixes: a path no route serves there (a module we
 * do not have, or a path or method a served module does not have) is a client's mistake, HTTP
 * 404 with status 2000 naming it, like any unknown path. Unlike the not-found handler it
 * authenticates first: callers without a registered partner's token get 401 and learn nothing
 * of our routes.
 */
export function registerUnknownModuleRoutes(app: FastifyInstance): void {
  const config = { auth: 'registered' as const };
  for (const prefix of ['/ocpi/2.2.1/cpo/:module', '/ocpi/2.2.1/emsp/:module', '/ocpi/2.2.1/hubclientinfo', '/ocpi/2.1.1/cpo/:module', '/ocpi/2.1.1/emsp/:module']) {
    app.all(prefix, { config }, answerUnknownEndpoint);
    app.all(`${prefix}/*`, { config }, answerUnknownEndpoint);
  }
}
