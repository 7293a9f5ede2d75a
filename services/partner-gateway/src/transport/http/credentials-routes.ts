import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ocpiSuccess } from '@voltmesh/ocpi';
import type { GatewayContext } from '../../application/context.js';
import {
  readOwnCredentials,
  registerPartner,
  unregisterPartner,
  updatePartnerCredentials,
  type Caller,
} from '../../application/partner-registers.js';

/** The credentials module (2.2.1), both POST (register) and PUT (update) answered with a fresh token. */
export function registerCredentialsRoutes(app: FastifyInstance, context: GatewayContext): void {
  const url = '/ocpi/2.2.1/credentials';
  const config = { auth: 'registration' as const };

  app.get(url, { config }, async (request) => ocpiSuccess(await readOwnCredentials(context, callerOf(request))));
  app.post(url, { config }, async (request) =>
    ocpiSuccess(await registerPartner(context, callerOf(request), request.body)),
  );
  app.put(url, { config }, async (request) =>
    ocpiSuccess(await updatePartnerCredentials(context, callerOf(request), request.body)),
  );
  app.delete(url, { config }, async (request) => {
    await unregisterPartner(context, callerOf(request));
    return ocpiSuccess();
  });
}

function callerOf(request: FastifyRequest): Caller {
  // The auth hook runs before every route with `auth` config and rejects requests without a caller.
  if (!request.caller) throw new Error('route reached without an authenticated caller');
  return request.caller;
}
