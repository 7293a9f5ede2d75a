import { credentialsSchema, methodNotAllowed, OcpiError, OcpiStatus, type Credentials } from '@voltmesh/ocpi';
import { mintCredentialsToken } from '../adapters/token-cipher.js';
import type { Connection } from '../domain/connection.js';
import { ownCredentials } from '../domain/own-credentials.js';
import { SUPPORTED_VERSIONS } from '../domain/versions.js';
import type { GatewayContext } from './context.js';
import { countHandshakeFailure } from '../adapters/partner-telemetry.js';
import { discoverPartner } from './discover-partner.js';
import { assertPartiesAvailable, toPartnerRoles } from './partner-roles.js';

/** The partner calling our credentials endpoint, as the auth hook identified it. */
export interface Caller {
  connection: Connection;
  /** The token it presented (token A while pending, its full token once registered). */
  token: string;
  correlationId?: string;
  /** The token is one a credentials PUT replaced, still in its grace period: functional modules only. */
  previousToken?: boolean;
}

const CREDENTIALS_VERSION = SUPPORTED_VERSIONS[0];

/**
 * POST credentials: a partner holding our token A registers. We read its platform with the
 * token it gave us (its token B), mint its token C and only then store everything in one
 * conditional write; token A dies with that write. Nothing is stored when any step fails.
 */
export async function registerPartner(context: GatewayContext, caller: Caller, body: unknown): Promise<Credentials> {
  refusePreviousToken(caller);
  const { connection } = caller;
  // The state decides first: a registered partner gets 405 whatever it sent.
  if (connection.state !== 'PENDING' || connection.initiator !== 'PARTNER') {
    throw methodNotAllowed('already registered: use PUT to update credentials or DELETE to unregister');
  }
  return storeRegistration(context, caller, credentialsSchema.parse(body), 'PENDING');
}

/** PUT credentials: the partner rotates its token or announces new endpoints; it gets a new token. */
export async function updatePartnerCredentials(context: GatewayContext, caller: Caller, body: unknown): Promise<Credentials> {
  refusePreviousToken(caller);
  if (caller.connection.state !== 'REGISTERED') throw methodNotAllowed('not registered: POST credentials first');
  return storeRegistration(context, caller, credentialsSchema.parse(body), 'REGISTERED');
}

async function storeRegistration(
  context: GatewayContext,
  caller: Caller,
  body: Credentials,
  expectedState: 'PENDING' | 'REGISTERED',
): Promise<Credentials> {
  const { connection } = caller;
  try {
    return await handshake(context, caller, body, expectedState);
  } catch (error) {
    countHandshakeFailure(connection.id);
    throw error;
  }
}

async function handshake(context: GatewayContext, caller: Caller, body: Credentials, expectedState: 'PENDING' | 'REGISTERED'): Promise<Credentials> {
  const { connection } = caller;
  const roles = toPartnerRoles(body.roles);
  await assertPartiesAvailable(context, roles, connection.id);
  const discovered = await discoverPartner(context, {
    partner: connection.id,
    versionsUrl: body.url,
    token: body.token,
    authMode: connection.authMode,
    requiredVersion: CREDENTIALS_VERSION,
    ...(caller.correlationId ? { correlationId: caller.correlationId } : {}),
  });
  const newInboundToken = mintCredentialsToken();
  const registered = await context.store.register(connection.id, expectedState, caller.token, {
    platform: { version: discovered.version, versionsUrl: body.url, roles, endpoints: discovered.endpoints },
    inboundToken: newInboundToken,
    outboundToken: body.token,
    previousTokenGraceMs: context.tokens.rotationGraceMs,
  });
  if (!registered) {
    // Another request with the same token won the race; this one must not hand out a token.
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'credentials changed concurrently; the token used is no longer valid', { httpStatus: 401 });
  }
  await context.events.published(registered, expectedState === 'PENDING' ? 'REGISTERED' : 'UPDATED', caller.correlationId);
  context.logger.info({ connection_id: registered.id, parties: registered.roles.map((role) => `${role.countryCode}*${role.partyId}`) }, expectedState === 'PENDING' ? 'partner registered' : 'partner credentials updated');
  return ownCredentials(context.platform, newInboundToken);
}

/** DELETE credentials: the partner unregisters; its token stops working at once. */
export async function unregisterPartner(context: GatewayContext, caller: Caller): Promise<void> {
  refusePreviousToken(caller);
  if (caller.connection.state !== 'REGISTERED') throw methodNotAllowed('not registered');
  const unregistered = await context.store.unregister(caller.connection.id, 'REGISTERED');
  if (!unregistered) throw methodNotAllowed('not registered');
  await context.events.published(unregistered, 'UNREGISTERED', caller.correlationId);
  context.logger.info({ connection_id: unregistered.id }, 'partner unregistered');
}

/** GET credentials: our credentials for this partner, with the token it holds (read back from the store). */
export async function readOwnCredentials(context: GatewayContext, caller: Caller): Promise<Credentials> {
  refusePreviousToken(caller);
  if (caller.connection.state !== 'REGISTERED') throw methodNotAllowed('not registered: POST credentials first');
  const token = await context.store.inboundToken(caller.connection.id);
  if (!token) throw methodNotAllowed('not registered');
  return ownCredentials(context.platform, token);
}

/**
 * A rotated token in its grace period only lets requests already on their way through; it never
 * opens the credentials module. Otherwise whoever holds a leaked old token could read the new
 * one (GET), rotate again (PUT) or cut the partner off (DELETE) after the partner rotated.
 */
function refusePreviousToken(caller: Caller): void {
  if (caller.previousToken) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'this token was replaced by a credentials update: use the new token', { httpStatus: 401 });
  }
}
