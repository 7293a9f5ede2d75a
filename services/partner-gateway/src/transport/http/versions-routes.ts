import type { FastifyInstance } from 'fastify';
import { OcpiError, OcpiStatus, ocpiSuccess } from '@voltmesh/ocpi';
import { ownEndpoints, ownEndpoints211 } from '../../domain/own-platform.js';
import { versionDetailsUrl, type OwnPlatform } from '../../domain/own-credentials.js';
import { SUPPORTED_VERSIONS } from '../../domain/versions.js';
import { callerOf } from './route-helpers.js';

/**
 * GET /ocpi/versions, /ocpi/2.2.1 and /ocpi/2.1.1: cheap and side-effect free (hubs poll them
 * as a liveness check). The 2.1.1 details depend on the caller: 2.1.1 lists one URL per
 * module, so a connection sees the side of ours opposite to the role its operator named.
 */
export function registerVersionsRoutes(app: FastifyInstance, platform: OwnPlatform): void {
  const config = { auth: 'registration' as const };
  const versions = SUPPORTED_VERSIONS.map((version) => ({ version, url: versionDetailsUrl(platform, version) }));
  app.get('/ocpi/versions', { config }, async () => ocpiSuccess(versions));

  const details = {
    version: '2.2.1',
    endpoints: ownEndpoints(platform.parties).map((endpoint) => ({
      identifier: endpoint.identifier,
      role: endpoint.role,
      url: `${versionDetailsUrl(platform, '2.2.1')}/${endpoint.path}`,
    })),
  };
  app.get('/ocpi/2.2.1', { config }, async () => ocpiSuccess(details));

  app.get('/ocpi/2.1.1', { config }, async (request) => {
    const { connection } = callerOf(request);
    if (!connection.role211) {
      throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'this connection was not set up for OCPI 2.1.1 (2.1.1 credentials carry no role): ask our operator for an invitation naming your role, CPO or EMSP', { httpStatus: 404 });
    }
    const endpoints = ownEndpoints211(platform.parties, connection.role211).map((endpoint) => ({
      identifier: endpoint.identifier,
      url: `${versionDetailsUrl(platform, '2.1.1')}/${endpoint.path}`,
    }));
    if (endpoints.length === 0) {
      throw new OcpiError(OcpiStatus.CLIENT_ERROR, `this platform hosts no party a 2.1.1 ${connection.role211} can deal with`, { httpStatus: 404 });
    }
    return ocpiSuccess({ version: '2.1.1', endpoints });
  });
}
