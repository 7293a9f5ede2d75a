import { credentialsSchema, methodNotAllowed, OcpiError, OcpiStatus, type Credentials } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { mintCredentialsToken } from '../adapters/token-cipher.js';
import type { Connection, PartnerRole } from '../domain/connection.js';
import { ownCredentials, ownCredentials211 } from '../domain/own-credentials.js';
import type { SupportedVersion } from '../domain/versions.js';
import type { GatewayContext } from './context.js';
import { countHandshakeFailure } from '../adapters/partner-telemetry.js';
import { discoverPartner } from './discover-partner.js';
import { assertPartiesAvailable, toPartnerRoles, toPartnerRoles211 } from './partner-roles.js';

/** The partner calling our credentials endpoint, as the auth hook identified it. */
export interface Caller {
  connection: Connection;
  /** The token it presented (token A while pending, its full token once registered). */
  token: string;
  correlationId?: string;
  /** The token is one a credentials PUT replaced, still in its grace period: functional modules only. */
  previousToken?: boolean;
}

/** Our Credentials object in the version of the credentials endpoint the partner called. */
type AnyCredentials = Credentials | v211.Credentials;

/** What a partner's Credentials say, whatever the version. */
interface OfferedCredentials {
  token: string;
  url: string;
  roles: PartnerRole[];
}

/**
 * The partner's Credentials as sent to our `version` endpoint. 2.1.1 names one party and no
 * role: the role is the one our operator named for this connection, or the call is refused.
 */
function readCredentials(connection: Connection, version: SupportedVersion, body: unknown): OfferedCredentials {
  if (version === '2.2.1') {
    const credentials = credentialsSchema.parse(body);
    return { token: credentials.token, url: credentials.url, roles: toPartnerRoles(credentials.roles) };
  }
  const role = requireRole211(connection);
  const credentials = v211.credentialsSchema.parse(body);
  return { token: credentials.token, url: credentials.url, roles: toPartnerRoles211(credentials, role) };
}

function requireRole211(connection: Connection): NonNullable<Connection['role211']> {
  if (!connection.role211) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'this connection was not set up for OCPI 2.1.1 (2.1.1 credentials carry no role): ask our operator for an invitation naming your role, CPO or EMSP', { httpStatus: 404 });
  }
  return connection.role211;
}

function credentialsFor(context: GatewayContext, connection: Connection, version: SupportedVersion, token: string): AnyCredentials {
  return version === '2.2.1' ? ownCredentials(context.platform, token) : ownCredentials211(context.platform, token, requireRole211(connection));
}

/**
 * POST credentials: a partner holding our token A registers. We read its platform with the
 * token it gave us (its token B), mint its token C and only then store everything in one
 * conditional write; token A dies with that write. Nothing is stored when any step fails.
 */
export async function registerPartner(context: GatewayContext, caller: Caller, body: unknown, version: SupportedVersion = '2.2.1'): Promise<AnyCredentials> {
  refusePreviousToken(caller);
  const { connection } = caller;
  // The state decides first: a registered partner gets 405 whatever it sent.
  if (connection.state !== 'PENDING' || connection.initiator !== 'PARTNER') {
    throw methodNotAllowed('already registered: use PUT to update credentials or DELETE to unregister');
  }
  return storeRegistration(context, caller, readCredentials(connection, version, body), version, 'PENDING');
}

/** PUT credentials: the partner rotates its token or announces new endpoints; it gets a new token. */
export async function updatePartnerCredentials(context: GatewayContext, caller: Caller, body: unknown, version: SupportedVersion = '2.2.1'): Promise<AnyCredentials> {
  refusePreviousToken(caller);
  if (caller.connection.state !== 'REGISTERED') throw methodNotAllowed('not registered: POST credentials first');
  return storeRegistration(context, caller, readCredentials(caller.connection, version, body), version, 'REGISTERED');
}

async function storeRegistration(
  context: GatewayContext,
  caller: Caller,
  body: OfferedCredentials,
  version: SupportedVersion,
  expectedState: 'PENDING' | 'REGISTERED',
): Promise<AnyCredentials> {
  const { connection } = caller;
  try {
    return await handshake(context, caller, body, version, expectedState);
  } catch (error) {
    countHandshakeFailure(connection.id);
    throw error;
  }
}

async function handshake(
  context: GatewayContext,
  caller: Caller,
  body: OfferedCredentials,
  version: SupportedVersion,
  expectedState: 'PENDING' | 'REGISTERED',
): Promise<AnyCredentials> {
  const { connection } = caller;
  const { roles } = body;
  await assertPartiesAvailable(context, roles, connection.id);
  // The version of the credentials endpoint the partner called is the one it chose.
  const discovered = await discoverPartner(context, {
    partner: connection.id,
    versionsUrl: body.url,
    token: body.token,
    authMode: connection.authMode,
    requiredVersion: version,
    ...(connection.role211 ? { role211: connection.role211 } : {}),
    ...(caller.correlationId ? { correlationId: caller.correlationId } : {}),
  });
  const newInboundToken = mintCredentialsToken();
  const registered = await context.store.register(connection.id, expectedState, caller.token, {
    platform: { version: discovered.version, authMode: discovered.authMode, versionsUrl: body.url, roles, endpoints: discovered.endpoints },
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
  return credentialsFor(context, registered, version, newInboundToken);
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
export async function readOwnCredentials(context: GatewayContext, caller: Caller, version: SupportedVersion = '2.2.1'): Promise<AnyCredentials> {
  refusePreviousToken(caller);
  if (caller.connection.state !== 'REGISTERED') throw methodNotAllowed('not registered: POST credentials first');
  const token = await context.store.inboundToken(caller.connection.id);
  if (!token) throw methodNotAllowed('not registered');
  return credentialsFor(context, caller.connection, version, token);
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
