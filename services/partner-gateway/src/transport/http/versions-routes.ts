import type { FastifyInstance } from 'fastify';
import { ocpiSuccess } from '@voltmesh/ocpi';
import { ownEndpoints } from '../../domain/own-platform.js';
import { versionDetailsUrl, type OwnPlatform } from '../../domain/own-credentials.js';
import { SUPPORTED_VERSIONS } from '../../domain/versions.js';

/** GET /ocpi/versions and GET /ocpi/2.2.1: cheap and side-effect free (hubs poll them as a liveness check). */
export function registerVersionsRoutes(app: FastifyInstance, platform: OwnPlatform): void {
  const versions = SUPPORTED_VERSIONS.map((version) => ({ version, url: versionDetailsUrl(platform, version) }));
  app.get('/ocpi/versions', { config: { auth: 'registration' } }, async () => ocpiSuccess(versions));

  const details = {
    version: '2.2.1',
    endpoints: ownEndpoints(platform.parties).map((endpoint) => ({
      identifier: endpoint.identifier,
      role: endpoint.role,
      url: `${versionDetailsUrl(platform, '2.2.1')}/${endpoint.path}`,
    })),
  };
  app.get('/ocpi/2.2.1', { config: { auth: 'registration' } }, async () => ocpiSuccess(details));
}
