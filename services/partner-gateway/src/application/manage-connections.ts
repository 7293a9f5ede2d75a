import { randomUUID } from 'node:crypto';
import { notFound } from '@voltmesh/errors';
import { mintCredentialsToken } from '../adapters/token-cipher.js';
import type { AuthMode, Connection, Role211 } from '../domain/connection.js';
import { versionsUrl } from '../domain/own-credentials.js';
import type { GatewayContext } from './context.js';
import { unregisterAtPartner } from './connect-to-partner.js';

export interface Invitation {
  connection: Connection;
  tokenA: string;
  versionsUrl: string;
}

/** An operator invites a partner: a pending connection with a fresh token A, good for one registration within REGISTRATION_TOKEN_TTL_MS. */
export async function createInvitation(context: GatewayContext, input: { label?: string; authMode: AuthMode; role211?: Role211; timeZone211?: string }): Promise<Invitation> {
  const tokenA = mintCredentialsToken();
  const connection = await context.store.insertPending({
    id: randomUUID(),
    initiator: 'PARTNER',
    authMode: input.authMode,
    inboundToken: tokenA,
    inboundTokenExpiresAt: new Date(Date.now() + context.tokens.registrationTtlMs),
    ...(input.label ? { label: input.label } : {}),
    ...(input.role211 ? { role211: input.role211 } : {}),
    ...(input.timeZone211 ? { timeZone211: input.timeZone211 } : {}),
  });
  context.logger.info({ connection_id: connection.id }, 'invitation created');
  return { connection, tokenA, versionsUrl: versionsUrl(context.platform) };
}

export interface Disconnection {
  connection: Connection;
  /** Whether the partner confirmed the DELETE of our credentials there. */
  partnerUnregistered: boolean;
  partnerError?: string;
}

/**
 * An operator ends a connection: DELETE our credentials at the partner (best effort: a partner
 * that is down must not keep a revoked partner connected here), then revoke here.
 */
export async function disconnectPartner(context: GatewayContext, id: string): Promise<Disconnection> {
  const connection = await context.store.get(id);
  if (!connection || connection.state === 'UNREGISTERED') throw notFound(`no live connection ${id}`);
  let partnerError: string | undefined;
  let partnerUnregistered = false;
  if (connection.state === 'REGISTERED') {
    const credentialsUrl = connection.endpoints.find((endpoint) => endpoint.module === 'credentials')?.url;
    const token = await context.store.outboundToken(id);
    if (credentialsUrl && token) {
      partnerError = await unregisterAtPartner(context, credentialsUrl, token, connection.authMode);
      partnerUnregistered = partnerError === undefined;
    } else {
      partnerError = 'no credentials endpoint or token stored for this partner';
    }
  }
  const unregistered = await context.store.unregister(id);
  if (!unregistered) throw notFound(`no live connection ${id}`);
  if (connection.state === 'REGISTERED') await context.events.published(unregistered, 'UNREGISTERED');
  context.logger.info({ connection_id: id, partner_unregistered: partnerUnregistered }, 'connection ended by operator');
  return { connection: unregistered, partnerUnregistered, ...(partnerError ? { partnerError } : {}) };
}
