import type { FastifyInstance } from 'fastify';
import { OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import { statusCodeFor211 } from '../../../edge/v2_1_1/status-codes.js';
import { callerOf } from '../route-helpers.js';

/**
 * What every functional 2.1.1 route shares: only connections that chose 2.1.1 use it (their
 * role and party come from the 2.1.1 handshake; a 2.2.1 partner uses the URLs of its own
 * version details), and answers carry only status codes 2.1.1 has.
 */
export function applyVersionScope211(scope: FastifyInstance): void {
  scope.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.auth !== 'registered') return;
    const { connection } = callerOf(request);
    if (connection.version !== '2.1.1') {
      throw new OcpiError(OcpiStatus.CLIENT_ERROR, `your connection speaks OCPI ${connection.version ?? 'no version'}: use the endpoints of its version details`, { httpStatus: 404 });
    }
  });
  scope.addHook('onSend', async (_request, _reply, payload) => {
    if (typeof payload !== 'string' || !/"status_code":\s*(2004|400[0-3])\b/.test(payload)) return payload;
    const body = JSON.parse(payload) as { status_code: number };
    return JSON.stringify({ ...body, status_code: statusCodeFor211(body.status_code) });
  });
}
