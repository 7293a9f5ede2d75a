import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ocpiErrorBody, OcpiStatus } from '@voltmesh/ocpi';

/**
 * The functional modules listed in our version details. Until a module's issue lands, a
 * registered partner gets a clear OCPI answer (HTTP 501, status 3000 naming the module)
 * instead of a bare 404; unregistered callers still get 401 first.
 */
export function registerPendingModuleRoutes(app: FastifyInstance): void {
  const notYet = async (request: FastifyRequest, reply: FastifyReply) => {
    const module = request.url.split('?')[0]!.split('/').slice(3, 5).join('/');
    return reply.code(501).send(ocpiErrorBody(OcpiStatus.SERVER_ERROR, `module ${module} is not available yet`));
  };
  const config = { auth: 'registered' as const };
  for (const prefix of ['/ocpi/2.2.1/cpo/:module', '/ocpi/2.2.1/emsp/:module', '/ocpi/2.2.1/hubclientinfo']) {
    app.all(prefix, { config }, notYet);
    app.all(`${prefix}/*`, { config }, notYet);
  }
}
