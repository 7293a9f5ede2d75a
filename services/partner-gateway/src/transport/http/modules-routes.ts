import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ocpiErrorBody, OcpiStatus } from '@voltmesh/ocpi';

/**
 * Modules whose routes are registered: a path or method of theirs that no route serves is an
 * unknown endpoint (HTTP 404), not a module "not available yet".
 */
const SERVED_MODULES: ReadonlySet<string> = new Set([
  'cpo/locations',
  'emsp/locations',
  'cpo/tariffs',
  'emsp/tariffs',
  'cpo/tokens',
  'emsp/tokens',
  'cpo/commands',
  'emsp/commands',
  'cpo/sessions',
  'emsp/sessions',
  'cpo/cdrs',
  'emsp/cdrs',
  'cpo/chargingprofiles',
  'emsp/chargingprofiles',
  'hubclientinfo',
]);

/**
 * The fallback under the functional module prefixes. Every module our version details list is
 * served now (charging profiles were the last); a path of a module we do not have still gets a
 * clear OCPI answer (HTTP 501, status 3000 naming the module) instead of a bare 404, and
 * unregistered callers still get 401 first. The router falls back here from a served module's
 * routes too (e.g. `DELETE` of a session): that is HTTP 404.
 */
export function registerPendingModuleRoutes(app: FastifyInstance): void {
  const notYet = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    const segments = path.split('/');
    // Functional modules sit under a role (cpo/…, emsp/…); hubclientinfo, a configuration module, does not.
    const module = segments[3] === 'hubclientinfo' ? 'hubclientinfo' : segments.slice(3, 5).join('/');
    if (SERVED_MODULES.has(module)) return reply.code(404).send(ocpiErrorBody(OcpiStatus.CLIENT_ERROR, `no OCPI endpoint ${request.method} ${path}`));
    return reply.code(501).send(ocpiErrorBody(OcpiStatus.SERVER_ERROR, `module ${module} is not available yet`));
  };
  const config = { auth: 'registered' as const };
  for (const prefix of ['/ocpi/2.2.1/cpo/:module', '/ocpi/2.2.1/emsp/:module', '/ocpi/2.2.1/hubclientinfo']) {
    app.all(prefix, { config }, notYet);
    app.all(`${prefix}/*`, { config }, notYet);
  }
}
