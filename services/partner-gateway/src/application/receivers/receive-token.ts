import { OcpiError, OcpiStatus, type Token } from '@voltmesh/ocpi';
import type { IngressPublisher } from '../../adapters/ingress-publisher.js';
import type { StoredToken } from '../../adapters/tokens-client.js';
import type { Caller } from '../partner-registers.js';
import { findWritten, type WrittenLookup } from './find-written.js';
import { assertOwnParty } from './party-scope.js';
import { parseTokenWrite, type TokenAddress } from './token-write.js';

export interface TokenReceiverDeps {
  tokens: { get(countryCode: string, partyId: string, uid: string, type: string): Promise<StoredToken | undefined> };
  ingress: Pick<IngressPublisher, 'tokenWrite'>;
  /** Finding the token a PATCH needs (a PUT just before it may still be on its way through Kafka). */
  written: WrittenLookup;
}

/**
 * A partner eMSP pushes one of its tokens to our CPO (PUT, or PATCH of one we hold — 2004
 * otherwise); answered only after Kafka acknowledged it.
 */
export async function receiveTokenWrite(deps: TokenReceiverDeps, caller: Caller, method: 'PUT' | 'PATCH', address: TokenAddress, body: unknown): Promise<void> {
  const write = parseTokenWrite(caller.connection, method, address, body);
  if (method === 'PATCH') await findWritten(deps.written, () => ownedBy(deps, caller, address), () => unknownToken(address), `token ${address.uid}`);
  await deps.ingress.tokenWrite(caller.connection.id, write, caller.correlationId);
}

/**
 * The partner's token a PATCH applies to, under the first of `types` it is stored with (a 2.1.1
 * URL names no type), found even when the PUT acknowledged a moment ago is still on its way
 * through Kafka (see findWritten).
 */
export async function tokenToPatch(deps: TokenReceiverDeps, caller: Caller, address: Omit<TokenAddress, 'type'>, types: readonly string[]): Promise<Token> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const find = async (): Promise<StoredToken | undefined> => {
    for (const type of types) {
      const stored = await ownedBy(deps, caller, { ...address, type });
      if (stored) return stored;
    }
    return undefined;
  };
  const stored = await findWritten(deps.written, find, () => new OcpiError(OcpiStatus.UNKNOWN_TOKEN, `unknown token ${address.uid}`, { httpStatus: 404 }), `token ${address.uid}`);
  return stored.token;
}

/** A partner eMSP reads back one of its own tokens. */
export async function readPartnerToken(deps: TokenReceiverDeps, caller: Caller, address: TokenAddress): Promise<Token> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const stored = await ownedBy(deps, caller, address);
  if (!stored) throw unknownToken(address);
  return stored.token;
}

/** The token, only when this partner pushed it: another partner's token is as good as unknown. */
async function ownedBy(deps: TokenReceiverDeps, caller: Caller, address: TokenAddress): Promise<StoredToken | undefined> {
  const stored = await deps.tokens.get(address.countryCode, address.partyId, address.uid, address.type);
  return stored && stored.owner === 'PARTNER' && stored.connectionId === caller.connection.id ? stored : undefined;
}

const unknownToken = (address: TokenAddress): OcpiError =>
  new OcpiError(OcpiStatus.UNKNOWN_TOKEN, `unknown token ${address.uid} (type ${address.type})`, { httpStatus: 404 });
