import { invalidBody, locationReferencesSchema, OcpiError, OcpiStatus, type AuthorizationInfo, type RoutingHeaders } from '@voltmesh/ocpi';
import type { TokensClient } from '../../adapters/tokens-client.js';
import { partyKey } from '../../domain/connection.js';
import type { Caller } from '../partner-registers.js';

export interface OwnParties {
  cpo: ReadonlyArray<{ countryCode: string; partyId: string }>;
  emsp: ReadonlyArray<{ countryCode: string; partyId: string }>;
}

/**
 * A partner CPO asks our eMSP to authorize one of our tokens (OCPI real-time authorization).
 * Unknown token: HTTP 404 with 2004. The requester is the routing header's party, else the
 * caller's CPO role; the addressed eMSP is the to-party when it is one of ours.
 */
export async function authorizeOwnToken(
  tokens: Pick<TokensClient, 'authorizeOwn'>,
  own: OwnParties,
  caller: Caller,
  request: { uid: string; type: string; routing: RoutingHeaders; body: unknown },
): Promise<AuthorizationInfo> {
  let locationReferencesJson = '';
  if (request.body !== undefined && request.body !== null && request.body !== '') {
    const parsed = locationReferencesSchema.safeParse(request.body);
    if (!parsed.success) throw invalidBody(parsed.error);
    locationReferencesJson = JSON.stringify(parsed.data);
  }
  const { routing } = request;
  const cpoRole = caller.connection.roles.find((role) => role.role === 'CPO') ?? caller.connection.roles[0];
  const requester = routing.fromCountryCode && routing.fromPartyId ? { countryCode: routing.fromCountryCode, partyId: routing.fromPartyId } : cpoRole;
  if (requester && !caller.connection.roles.some((role) => partyKey(role.countryCode, role.partyId) === partyKey(requester.countryCode, requester.partyId))) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-from-party-id: ${partyKey(requester.countryCode, requester.partyId)} is not one of your roles`);
  }
  const addressed = routing.toCountryCode && routing.toPartyId ? { countryCode: routing.toCountryCode, partyId: routing.toPartyId } : undefined;
  if (addressed && !own.emsp.some((party) => partyKey(party.countryCode, party.partyId) === partyKey(addressed.countryCode, addressed.partyId))) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `header ocpi-to-party-id: ${partyKey(addressed.countryCode, addressed.partyId)} is not one of our eMSP parties`);
  }
  const info = await tokens.authorizeOwn({
    connectionId: caller.connection.id,
    requester: requester ? { countryCode: requester.countryCode.toUpperCase(), partyId: requester.partyId.toUpperCase() } : undefined,
    party: addressed,
    uid: request.uid,
    type: request.type,
    locationReferencesJson,
  });
  if (!info) throw new OcpiError(OcpiStatus.UNKNOWN_TOKEN, `unknown token ${request.uid} (type ${request.type})`, { httpStatus: 404 });
  return info;
}
