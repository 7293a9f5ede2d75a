import type { FastifyInstance } from 'fastify';
import { OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import { callerOf } from '../route-helpers.js';

/**
 * What every functional 2.1.1 route shares: only connections that chose 2.1.1 use it (their
 * role and party come from the 2.1.1 handshake; a 2.2.1 partner uses the URLs of its own
 * version details). Their errors carry only 2.1.1 status codes (ocpi-conventions.ts sendError).
 */
export function applyVersionScope211(scope: FastifyInstance): void {
  scope.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.auth !== 'registered') return;
    const { connection } = callerOf(request);
    if (connection.version !== '2.1.1') {
      throw new OcpiError(OcpiStatus.CLIENT_ERROR, `your connection speaks OCPI ${connection.version ?? 'no version'}: use the endpoints of its version details`, { httpStatus: 404 });
    }
  });
}
