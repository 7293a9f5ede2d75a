import { randomUUID } from 'node:crypto';
import { credentialsSchema, OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import { PartnerCallError } from '../adapters/partner-client.js';
import { mintCredentialsToken } from '../adapters/token-cipher.js';
import type { AuthMode, Connection, PartnerEndpoint } from '../domain/connection.js';
import { ownCredentials } from '../domain/own-credentials.js';
import type { GatewayContext } from './context.js';
import { countHandshakeFailure } from '../adapters/partner-telemetry.js';
import { discoverPartner } from './discover-partner.js';
import { assertPartiesAvailable, toPartnerRoles } from './partner-roles.js';

export interface ConnectRequest {
  versionsUrl: string;
  tokenA: string;
  authMode: AuthMode;
  label?: string;
}

/**
 * We register with a partner that gave us its versions URL and a token A: pick the newest
 * common version, read its endpoints, mint the token it will use to call us (stored before we
 * POST, because the partner calls our versions with it while our POST is open), POST our
 * credentials and keep the token it answers. Any failure removes the pending record; if we
 * got as far as registering at the partner, we also unregister there.
 */
export async function connectToPartner(context: GatewayContext, request: ConnectRequest): Promise<Connection> {
  const id = randomUUID();
  const correlationId = randomUUID();
  const inboundToken = mintCredentialsToken();
  await context.store.insertPending({
    id,
    initiator: 'US',
    authMode: request.authMode,
    inboundToken,
    inboundTokenExpiresAt: new Date(Date.now() + context.tokens.registrationTtlMs),
    outboundToken: request.tokenA,
    versionsUrl: request.versionsUrl,
    ...(request.label ? { label: request.label } : {}),
  });
  let registeredAt: { credentialsUrl: string; token: string } | undefined;
  try {
    const discovered = await discoverPartner(context, {
      partner: id,
      versionsUrl: request.versionsUrl,
      token: request.tokenA,
      authMode: request.authMode,
      correlationId,
    });
    const credentialsUrl = credentialsEndpoint(discovered.endpoints);
    const answer = await postCredentials(context, request, credentialsUrl, inboundToken, correlationId, id);
    registeredAt = { credentialsUrl, token: answer.token };
    const roles = toPartnerRoles(answer.roles);
    await assertPartiesAvailable(context, roles, id);
    const connection = await context.store.register(id, 'PENDING', inboundToken, {
      platform: { version: discovered.version, versionsUrl: request.versionsUrl, roles, endpoints: discovered.endpoints },
      inboundToken,
      outboundToken: answer.token,
    });
    if (!connection) throw new OcpiError(OcpiStatus.SERVER_ERROR, 'the pending connection disappeared during the handshake');
    await context.events.published(connection, 'REGISTERED', correlationId);
    context.logger.info({ connection_id: id, version: discovered.version }, 'registered with partner');
    return connection;
  } catch (error) {
    countHandshakeFailure(id);
    await context.store.deletePending(id);
    if (registeredAt) await unregisterAtPartner(context, registeredAt.credentialsUrl, registeredAt.token, request.authMode);
    throw error;
  }
}

async function postCredentials(
  context: GatewayContext,
  request: ConnectRequest,
  credentialsUrl: string,
  inboundToken: string,
  correlationId: string,
  partner: string,
) {
  try {
    const response = await context.partners.call({
      method: 'POST',
      url: credentialsUrl,
      token: request.tokenA,
      authMode: request.authMode,
      body: ownCredentials(context.platform, inboundToken),
      data: credentialsSchema,
      correlationId,
      partner,
      module: 'credentials',
    });
    if (response.statusCode !== OcpiStatus.SUCCESS || response.data === undefined) {
      throw new OcpiError(
        OcpiStatus.UNABLE_TO_USE_CLIENT_API,
        `partner refused our credentials at ${credentialsUrl}: HTTP ${response.httpStatus}, status_code ${response.statusCode}${response.statusMessage ? ` (${response.statusMessage})` : ''}`,
      );
    }
    return response.data;
  } catch (error) {
    if (error instanceof PartnerCallError) {
      throw new OcpiError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, `could not post our credentials: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function credentialsEndpoint(endpoints: PartnerEndpoint[]): string {
  // discoverPartner guarantees one exists.
  return endpoints.find((endpoint) => endpoint.module === 'credentials')!.url;
}

/** Best effort: tell the partner we are gone. Returns the reason when it did not work. */
export async function unregisterAtPartner(
  context: GatewayContext,
  credentialsUrl: string,
  token: string,
  authMode: AuthMode,
): Promise<string | undefined> {
  try {
    const response = await context.partners.call({ method: 'DELETE', url: credentialsUrl, token, authMode, data: credentialsSchema.optional() });
    if (response.statusCode === OcpiStatus.SUCCESS) return undefined;
    return `partner answered HTTP ${response.httpStatus}, status_code ${response.statusCode}`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.logger.warn({ url: credentialsUrl, reason }, 'could not unregister at partner');
    return reason;
  }
}
