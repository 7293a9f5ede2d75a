import { authorizationInfoSchema, joinUrl, locationReferencesSchema, OcpiStatus, parseJsonField, type LocationReferences } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { TokensClient } from '../adapters/tokens-client.js';
import { mapReported } from '../edge/loss-report.js';
import { authorizationInfoFrom211, locationReferencesTo211 } from '../edge/v2_1_1/tokens.js';
import { partnerService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import { PartnerCallError, type PartnerClient } from '../adapters/partner-client.js';
import type { PartnerReach } from './partner-reach.js';

const { PartnerAnswer } = partnerService;

export interface AuthorizeAtPartnerDeps {
  reach: Pick<PartnerReach, 'find'>;
  partners: Pick<PartnerClient, 'call'>;
  /** Used when the request names no timeout, and the most a request may ask for. */
  defaultTimeoutMs: number;
  logger: Logger;
  /** The partner's tokens we hold: a 2.1.1 answer names no token, our model needs the one asked about. */
  tokens: Pick<TokensClient, 'get'>;
}

/**
 * Real-time authorization of a partner eMSP's token (OCPI POST {tokens}/{uid}/authorize), for
 * our CPO. Always answers within the timeout: whatever the partner does becomes an outcome the
 * authorization service decides on (the whitelist type says what an unreachable eMSP means).
 */
export async function authorizeAtPartner(deps: AuthorizeAtPartnerDeps, request: partnerService.AuthorizeTokenRequest): Promise<partnerService.AuthorizeTokenResponse> {
  const answer = (answer: partnerService.PartnerAnswer, message: string, connectionId = '', json = ''): partnerService.AuthorizeTokenResponse => ({
    answer,
    message,
    connectionId,
    authorizationInfoJson: json,
  });
  const party = request.tokenParty;
  if (!party?.countryCode || !party.partyId || !request.tokenUid) {
    return answer(PartnerAnswer.PARTNER_ANSWER_REFUSED, 'token_party and token_uid are required');
  }
  let body: LocationReferences | undefined;
  if (request.locationReferencesJson) {
    try {
      body = parseJsonField(locationReferencesSchema, request.locationReferencesJson, 'location_references_json');
    } catch (error) {
      return answer(PartnerAnswer.PARTNER_ANSWER_REFUSED, error instanceof Error ? error.message : String(error));
    }
  }
  const address = await deps.reach.find('EMSP', party, 'tokens', 'SENDER');
  if (!address) return answer(PartnerAnswer.PARTNER_ANSWER_NO_ENDPOINT, `no registered partner offers tokens for eMSP ${party.countryCode}*${party.partyId}`);
  const timeoutMs = request.timeoutMs > 0 ? Math.min(request.timeoutMs, deps.defaultTimeoutMs) : deps.defaultTimeoutMs;
  const url = `${joinUrl(address.endpoint.url, request.tokenUid, 'authorize')}?type=${encodeURIComponent(request.tokenType || 'RFID')}`;
  const id = address.connection.id;
  if (address.connection.version === '2.1.1') {
    return authorize211(deps, { ...address, url, body, timeoutMs, party, uid: request.tokenUid, type: request.tokenType || 'RFID' }, answer);
  }
  try {
    const response = await deps.partners.call({
      method: 'POST',
      url,
      token: address.token,
      authMode: address.authMode,
      body,
      data: authorizationInfoSchema,
      timeoutMs,
      partner: id,
      module: 'tokens',
      routing: {
        ...(request.requester?.countryCode ? { fromCountryCode: request.requester.countryCode, fromPartyId: request.requester.partyId } : {}),
        toCountryCode: party.countryCode,
        toPartyId: party.partyId,
      },
    });
    if (response.statusCode === OcpiStatus.UNKNOWN_TOKEN || (response.httpStatus === 404 && response.statusCode >= 2000)) {
      return answer(PartnerAnswer.PARTNER_ANSWER_UNKNOWN_TOKEN, response.statusMessage ?? 'unknown token', id);
    }
    if (response.statusCode >= 1000 && response.statusCode < 2000 && response.data) {
      return answer(PartnerAnswer.PARTNER_ANSWER_ANSWERED, '', id, JSON.stringify(response.data));
    }
    return notDecided(response, id, answer);
  } catch (error) {
    return callFailed(deps, error, id, answer);
  }
}

type Answer = (answer: partnerService.PartnerAnswer, message: string, connectionId?: string, json?: string) => partnerService.AuthorizeTokenResponse;

/**
 * The same question to a 2.1.1 eMSP: 2.1.1 LocationReferences, no routing headers, a 2.1.1
 * AuthorizationInfo back (no token in it: the one we hold is put in; one we do not hold, or an
 * answer our model cannot say, is no decision — the whitelist type decides, as when unreachable).
 */
async function authorize211(
  deps: AuthorizeAtPartnerDeps,
  ask: { connection: { id: string }; token: string; authMode: 'base64' | 'plain'; url: string; body: LocationReferences | undefined; timeoutMs: number; party: { countryCode: string; partyId: string }; uid: string; type: string },
  answer: Answer,
): Promise<partnerService.AuthorizeTokenResponse> {
  const id = ask.connection.id;
  try {
    const response = await deps.partners.call({
      method: 'POST',
      url: ask.url,
      token: ask.token,
      authMode: ask.authMode,
      ...(ask.body ? { body: locationReferencesTo211(ask.body).value } : {}),
      data: v211.authorizationInfoSchema,
      timeoutMs: ask.timeoutMs,
      partner: id,
      module: 'tokens',
    });
    // 2.1.1 has no 2004: an unknown token is a 404 with a 2xxx status.
    if (response.httpStatus === 404 && response.statusCode >= 2000) return answer(PartnerAnswer.PARTNER_ANSWER_UNKNOWN_TOKEN, response.statusMessage ?? 'unknown token', id);
    if (response.statusCode >= 1000 && response.statusCode < 2000 && response.data) {
      const held = await deps.tokens.get(ask.party.countryCode, ask.party.partyId, ask.uid, ask.type);
      if (!held) return answer(PartnerAnswer.PARTNER_ANSWER_REFUSED, `the 2.1.1 eMSP answered ${response.data.allowed}, but names no token and we hold none of ${ask.uid}`, id);
      const answered = response.data;
      // The eMSP's answer into our model: inbound.
      const info = mapReported(deps.logger, { partner: id, module: 'tokens', direction: 'inbound', objectId: ask.uid }, () => authorizationInfoFrom211(answered, held.token));
      if ('refused' in info) return answer(PartnerAnswer.PARTNER_ANSWER_REFUSED, info.refused.message, id);
      return answer(PartnerAnswer.PARTNER_ANSWER_ANSWERED, '', id, JSON.stringify(info.value));
    }
    return notDecided(response, id, answer);
  } catch (error) {
    return callFailed(deps, error, id, answer);
  }
}

/** An answer that is neither a decision nor "unknown token": a server error is as good as no answer. */
function notDecided(response: { statusCode: number; httpStatus: number; statusMessage?: string | undefined }, id: string, answer: Answer): partnerService.AuthorizeTokenResponse {
  if (response.statusCode >= 3000 || response.httpStatus >= 500) {
    return answer(PartnerAnswer.PARTNER_ANSWER_UNREACHABLE, `the eMSP answered status ${response.statusCode} (HTTP ${response.httpStatus})`, id);
  }
  return answer(PartnerAnswer.PARTNER_ANSWER_REFUSED, `the eMSP answered status ${response.statusCode}: ${response.statusMessage ?? ''}`.trim(), id);
}

function callFailed(deps: AuthorizeAtPartnerDeps, error: unknown, id: string, answer: Answer): partnerService.AuthorizeTokenResponse {
  if (!(error instanceof PartnerCallError)) throw error;
  deps.logger.warn({ partner: id, failure: error.failure }, 'real-time authorization at partner failed');
  return answer(PartnerAnswer.PARTNER_ANSWER_UNREACHABLE, error.message, id);
}
