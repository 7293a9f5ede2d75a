import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { credentialsSchema, OcpiError, OcpiStatus } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { PartnerCallError } from '../adapters/partner-client.js';
import { mintCredentialsToken } from '../adapters/token-cipher.js';
import type { AuthMode, Connection, PartnerEndpoint, PartnerRole, Role211 } from '../domain/connection.js';
import { ownCredentials, ownCredentials211 } from '../domain/own-credentials.js';
import type { GatewayContext } from './context.js';
import { countHandshakeFailure } from '../adapters/partner-telemetry.js';
import { discoverPartner, type DiscoveredPlatform } from './discover-partner.js';
import { assertPartiesAvailable, toPartnerRoles, toPartnerRoles211 } from './partner-roles.js';

export interface ConnectRequest {
  versionsUrl: string;
  tokenA: string;
  /** How we encode token A on the versions call (a 2.1.1 handshake goes on raw). */
  authMode: AuthMode;
  label?: string;
  /** The partner's role should the handshake land on 2.1.1 (its credentials name none); without it 2.1.1 does not fit. */
  role211?: Role211;
  /** The zone of a 2.1.1 CPO's locations that name none. */
  timeZone211?: string;
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
    ...(request.role211 ? { role211: request.role211 } : {}),
    ...(request.timeZone211 ? { timeZone211: request.timeZone211 } : {}),
  });
  let registeredAt: { credentialsUrl: string; token: string; authMode: AuthMode } | undefined;
  try {
    const discovered = await discoverPartner(context, {
      partner: id,
      versionsUrl: request.versionsUrl,
      token: request.tokenA,
      authMode: request.authMode,
      ...(request.role211 ? { role211: request.role211 } : {}),
      correlationId,
    });
    const credentialsUrl = credentialsEndpoint(discovered.endpoints);
    const answer = await postCredentials(context, request, discovered, credentialsUrl, inboundToken, correlationId, id);
    registeredAt = { credentialsUrl, token: answer.token, authMode: discovered.authMode };
    const { roles } = answer;
    await assertPartiesAvailable(context, roles, id);
    const connection = await context.store.register(id, 'PENDING', inboundToken, {
      platform: { version: discovered.version, authMode: discovered.authMode, versionsUrl: request.versionsUrl, roles, endpoints: discovered.endpoints },
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
    if (registeredAt) await unregisterAtPartner(context, registeredAt.credentialsUrl, registeredAt.token, registeredAt.authMode);
    throw error;
  }
}

/** Our credentials in the chosen version; the partner's answer as a token and its parties. */
async function postCredentials(
  context: GatewayContext,
  request: ConnectRequest,
  discovered: DiscoveredPlatform,
  credentialsUrl: string,
  inboundToken: string,
  correlationId: string,
  partner: string,
): Promise<{ token: string; roles: PartnerRole[] }> {
  const call = { method: 'POST' as const, url: credentialsUrl, token: request.tokenA, authMode: discovered.authMode, correlationId, partner, module: 'credentials' };
  try {
    if (discovered.version === '2.1.1') {
      // discoverPartner only lands on 2.1.1 with the role named.
      const role = request.role211!;
      const response = await context.partners.call({ ...call, body: ownCredentials211(context.platform, inboundToken, role), data: v211.credentialsSchema });
      const answer = acceptedCredentials(response, credentialsUrl);
      return { token: answer.token, roles: toPartnerRoles211(answer, role) };
    }
    const response = await context.partners.call({ ...call, body: ownCredentials(context.platform, inboundToken), data: credentialsSchema });
    const answer = acceptedCredentials(response, credentialsUrl);
    return { token: answer.token, roles: toPartnerRoles(answer.roles) };
  } catch (error) {
    if (error instanceof PartnerCallError) {
      throw new OcpiError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, `could not post our credentials: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function acceptedCredentials<T>(response: { httpStatus: number; statusCode: number; statusMessage?: string; data?: T | undefined }, credentialsUrl: string): T {
  if (response.statusCode !== OcpiStatus.SUCCESS || response.data === undefined) {
    throw new OcpiError(
      OcpiStatus.UNABLE_TO_USE_CLIENT_API,
      `partner refused our credentials at ${credentialsUrl}: HTTP ${response.httpStatus}, status_code ${response.statusCode}${response.statusMessage ? ` (${response.statusMessage})` : ''}`,
    );
  }
  return response.data;
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
    const response = await context.partners.call({ method: 'DELETE', url: credentialsUrl, token, authMode, data: z.unknown() });
    if (response.statusCode === OcpiStatus.SUCCESS) return undefined;
    return `partner answered HTTP ${response.httpStatus}, status_code ${response.statusCode}`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.logger.warn({ url: credentialsUrl, reason }, 'could not unregister at partner');
    return reason;
  }
}
