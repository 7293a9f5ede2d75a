import { notFound } from '@voltmesh/errors';
import type { AuthorizationInfo } from '@voltmesh/ocpi';
import type { tokenService } from '@voltmesh/proto';
import { decideOwnToken, displayTextFor } from '../domain/own-decision.js';
import { partyKey, tokenKey, type KnownToken } from '../domain/stored-token.js';
import { elapsedMs, newDecisionId, type AuthorizeDeps } from './decision-context.js';
import { readLocationReferences, readParty, readTokenType, readUid } from './request-input.js';

/**
 * Our eMSP answers a partner CPO's real-time authorization (OCPI POST tokens/{uid}/authorize,
 * through the gateway). Only our own tokens are answered: a partner's token, like an unknown
 * one, is NOT_FOUND (OCPI 2004), so one eMSP's tokens are never visible to another partner.
 */
export async function authorizeOwnToken(deps: AuthorizeDeps, request: tokenService.AuthorizeOwnTokenRequest): Promise<tokenService.AuthorizeOwnTokenResponse> {
  const started = performance.now();
  const uid = readUid(request.uid, 'uid');
  const type = readTokenType(request.type, 'type');
  const location = readLocationReferences(request.locationReferencesJson, 'location_references_json');
  const requester = readParty(request.requester, 'requester');
  const addressed = readParty(request.party, 'party');
  const parties = addressed ? deps.emspParties.filter((party) => partyKey(party.country_code, party.party_id) === partyKey(addressed.country_code, addressed.party_id)) : deps.emspParties;

  let known: KnownToken | undefined;
  for (const party of parties) {
    const candidate = await deps.tokens.get(tokenKey({ ...party, uid, type }));
    if (candidate?.owner === 'OWN') {
      known = candidate;
      break;
    }
  }
  if (!known) throw notFound(`unknown token (uid and type ${type} not issued by ${addressed ? partyKey(addressed.country_code, addressed.party_id) : 'any of our eMSP parties'})`);

  const now = deps.now();
  const allowed = decideOwnToken(known, requester ? partyKey(requester.country_code, requester.party_id) : undefined, now);
  const reference = newDecisionId();
  const info = displayTextFor(allowed);
  const answer: AuthorizationInfo = {
    allowed,
    token: known.token,
    ...(location ? { location } : {}),
    authorization_reference: reference,
    ...(info ? { info } : {}),
  };
  deps.decisions.record({
    id: reference,
    authorization_reference: reference,
    country_code: known.token.country_code,
    party_id: known.token.party_id,
    uid,
    type,
    allowed,
    decided_by: 'OWN_EMSP',
    role: 'EMSP',
    connection_id: request.connectionId,
    location_id: location?.location_id ?? '',
    evse_uids: location?.evse_uids ?? [],
    decided_at: now.toISOString(),
    duration_ms: elapsedMs(started),
  });
  return { authorizationInfoJson: JSON.stringify(answer) };
}
