import { invalidArgument } from '@voltmesh/errors';
import { locationReferencesSchema, zodErrorMessage, type LocationReferences } from '@voltmesh/ocpi';
import type { tokenService } from '@voltmesh/proto';
import { asksEmsp, chooseToken, decidePartnerToken, type CpoDecision } from '../domain/cpo-decision.js';
import { decideOwnToken, displayTextFor } from '../domain/own-decision.js';
import { keyOfToken, partyKey, type KnownToken } from '../domain/stored-token.js';
import { decidedByToProto, elapsedMs, newDecisionId, type AuthorizeDeps } from './decision-context.js';
import { readParty, readTokenType, readUid, type Party } from './request-input.js';

/**
 * Our CPO (its CSMS) asks whether a token the charger read may charge. The token is found by
 * uid and type; our own eMSP's token is decided by its account rules, a partner's by its
 * whitelist and, when that requires it, by asking its eMSP in real time (see cpo-decision.ts).
 */
export async function authorizeAtCpo(deps: AuthorizeDeps, request: tokenService.AuthorizeRequest): Promise<tokenService.AuthorizeResponse> {
  const started = performance.now();
  const uid = readUid(request.uid, 'uid');
  const type = readTokenType(request.type, 'type');
  const cpo = readCpo(deps.cpoParties, request.cpo);
  const location = readLocation(request.locationId, request.evseUids);

  const chosen = chooseToken(await deps.tokens.findByUidType(uid, type));
  const decision: CpoDecision & { connectionId: string } = chosen ? await decide(deps, chosen, cpo, location) : { allowed: 'NOT_ALLOWED', decidedBy: 'UNKNOWN_TOKEN', connectionId: '' };
  const id = newDecisionId();
  const reference = decision.reference ?? id;
  const now = deps.now();
  deps.decisions.record({
    id,
    authorization_reference: reference,
    country_code: chosen?.token.country_code ?? '',
    party_id: chosen?.token.party_id ?? '',
    uid,
    type,
    allowed: decision.allowed,
    decided_by: decision.decidedBy,
    role: 'CPO',
    connection_id: decision.connectionId,
    location_id: location?.location_id ?? '',
    evse_uids: location?.evse_uids ?? [],
    decided_at: now.toISOString(),
    duration_ms: elapsedMs(started),
  });
  const token = decision.token ?? chosen?.token;
  return {
    allowed: decision.allowed,
    decidedBy: decidedByToProto(decision.decidedBy),
    // Nothing to copy into a session that cannot start for a token nobody knows.
    authorizationReference: chosen ? reference : '',
    tokenJson: token ? JSON.stringify(token) : '',
    infoJson: decision.info ? JSON.stringify(decision.info) : '',
    allowedEvseUids: decision.location?.evse_uids ?? [],
  };
}

async function decide(deps: AuthorizeDeps, chosen: KnownToken, cpo: Party, location: LocationReferences | undefined): Promise<CpoDecision & { connectionId: string }> {
  if (chosen.owner === 'OWN') {
    const allowed = decideOwnToken(chosen, partyKey(cpo.country_code, cpo.party_id), deps.now());
    const info = displayTextFor(allowed);
    return { allowed, decidedBy: 'OWN_EMSP', connectionId: '', ...(info ? { info } : {}) };
  }
  if (!asksEmsp(chosen.token)) return { ...decidePartnerToken(chosen.token, undefined), connectionId: chosen.connection_id };
  const reply = await deps.emsp.ask({ token: keyOfToken(chosen.token), requester: cpo, ...(location ? { locationReferences: location } : {}) });
  return { ...decidePartnerToken(chosen.token, reply.outcome), connectionId: reply.connectionId || chosen.connection_id };
}

/** Our CPO party that runs the charger: the one named (it must be ours), else our first. */
function readCpo(cpoParties: readonly Party[], ref: { countryCode: string; partyId: string } | undefined): Party {
  const named = readParty(ref, 'cpo');
  if (!named) {
    const first = cpoParties[0];
    if (!first) throw invalidArgument('cpo: required (no CPO party is configured in OWN_PARTIES)');
    return first;
  }
  if (!cpoParties.some((party) => partyKey(party.country_code, party.party_id) === partyKey(named.country_code, named.party_id))) {
    throw invalidArgument(`cpo: ${partyKey(named.country_code, named.party_id)} is not one of our CPO parties`);
  }
  return named;
}

/** The location as OCPI LocationReferences (sent to the eMSP); none when no location_id is given. */
function readLocation(locationId: string, evseUids: string[]): LocationReferences | undefined {
  if (!locationId) {
    if (evseUids.length > 0) throw invalidArgument('location_id: required with evse_uids');
    return undefined;
  }
  const parsed = locationReferencesSchema.safeParse({ location_id: locationId, evse_uids: evseUids });
  if (!parsed.success) throw invalidArgument(zodErrorMessage(parsed.error));
  return parsed.data;
}
