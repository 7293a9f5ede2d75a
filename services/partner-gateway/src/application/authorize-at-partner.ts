import { authorizationInfoSchema, joinUrl, locationReferencesSchema, OcpiStatus, parseJsonField } from '@voltmesh/ocpi';
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
  let body: unknown;
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
    if (response.statusCode >= 3000 || response.httpStatus >= 500) {
      return answer(PartnerAnswer.PARTNER_ANSWER_UNREACHABLE, `the eMSP answered status ${response.statusCode} (HTTP ${response.httpStatus})`, id);
    }
    return answer(PartnerAnswer.PARTNER_ANSWER_REFUSED, `the eMSP answered status ${response.statusCode}: ${response.statusMessage ?? ''}`.trim(), id);
  } catch (error) {
    if (!(error instanceof PartnerCallError)) throw error;
    deps.logger.warn({ partner: id, failure: error.failure }, 'real-time authorization at partner failed');
    return answer(PartnerAnswer.PARTNER_ANSWER_UNREACHABLE, error.message, id);
  }
}
