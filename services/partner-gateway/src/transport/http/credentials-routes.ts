import type { FastifyInstance } from 'fastify';
import { ocpiSuccess } from '@voltmesh/ocpi';
import type { GatewayContext } from '../../application/context.js';
import {
  readOwnCredentials,
  registerPartner,
  unregisterPartner,
  updatePartnerCredentials,
} from '../../application/partner-registers.js';
import { SUPPORTED_VERSIONS } from '../../domain/versions.js';
import { callerOf } from './route-helpers.js';

/**
 * The credentials module of each version we serve, POST (register) and PUT (update) answered
 * with a fresh token. The version of the endpoint a partner calls is the version it chose:
 * a PUT to the other version's endpoint switches the connection.
 */
export function registerCredentialsRoutes(app: FastifyInstance, context: GatewayContext): void {
  const config = { auth: 'registration' as const };
  for (const version of SUPPORTED_VERSIONS) {
    const url = `/ocpi/${version}/credentials`;
    app.get(url, { config }, async (request) => ocpiSuccess(await readOwnCredentials(context, callerOf(request), version)));
    app.post(url, { config }, async (request) => ocpiSuccess(await registerPartner(context, callerOf(request), request.body, version)));
    app.put(url, { config }, async (request) => ocpiSuccess(await updatePartnerCredentials(context, callerOf(request), request.body, version)));
    app.delete(url, { config }, async (request) => {
      await unregisterPartner(context, callerOf(request));
      return ocpiSuccess();
    });
  }
}
