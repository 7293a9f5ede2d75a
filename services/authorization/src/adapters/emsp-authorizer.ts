import { credentials } from '@grpc/grpc-js';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { authorizationInfoSchema, zodErrorMessage, type LocationReferences } from '@voltmesh/ocpi';
import { partnerService } from '@voltmesh/proto';
import type { EmspOutcome } from '../domain/cpo-decision.js';
import { tokenKey, type TokenKey } from '../domain/stored-token.js';

export interface EmspQuestion {
  token: TokenKey;
  locationReferences?: LocationReferences;
  /** Our CPO party that asks, `CC*PID` parts. */
  requester: { country_code: string; party_id: string };
}

export interface EmspReply {
  outcome: EmspOutcome;
  /** The partner connection the gateway asked; empty when none was found. */
  connectionId: string;
}

/** How our CPO asks a partner eMSP to authorize one of its tokens now. */
export interface EmspAuthorizer {
  ask(question: EmspQuestion): Promise<EmspReply>;
}

const { PartnerAnswer } = partnerService;

/**
 * Asks through the gateway's PartnerService.AuthorizeToken. Never throws: whatever goes wrong
 * (deadline, gateway down, partner unreachable, a body that is not a usable AuthorizationInfo)
 * is NO_ANSWER, and the token's whitelist decides.
 */
export class GatewayEmspAuthorizer implements EmspAuthorizer {
  private readonly client: partnerService.PartnerServiceClient;

  constructor(
    address: string,
    /** The partner's whole budget; our deadline on the gateway call. */
    private readonly timeoutMs: number,
  ) {
    this.client = new partnerService.PartnerServiceClient(address, credentials.createInsecure(), observedClient);
  }

  async ask(question: EmspQuestion): Promise<EmspReply> {
    const request: partnerService.AuthorizeTokenRequest = {
      tokenParty: { countryCode: question.token.country_code, partyId: question.token.party_id },
      tokenUid: question.token.uid,
      tokenType: question.token.type,
      locationReferencesJson: question.locationReferences ? JSON.stringify(question.locationReferences) : '',
      requester: { countryCode: question.requester.country_code, partyId: question.requester.party_id },
      // A little less than our deadline, so the gateway's own "timed out" answer reaches us first.
      timeoutMs: Math.max(1, this.timeoutMs - Math.min(200, Math.floor(this.timeoutMs / 10))),
    };
    let reply: partnerService.AuthorizeTokenResponse;
    try {
      reply = await callUnary<partnerService.AuthorizeTokenRequest, partnerService.AuthorizeTokenResponse>(this.client.authorizeToken.bind(this.client), request, this.timeoutMs);
    } catch (error) {
      return { outcome: { kind: 'NO_ANSWER', reason: `gateway call failed: ${error instanceof Error ? error.message : String(error)}` }, connectionId: '' };
    }
    return { outcome: outcomeOf(reply, question.token), connectionId: reply.connectionId };
  }

  close(): void {
    this.client.close();
  }
}

function outcomeOf(reply: partnerService.AuthorizeTokenResponse, token: TokenKey): EmspOutcome {
  switch (reply.answer) {
    case PartnerAnswer.PARTNER_ANSWER_ANSWERED:
      return answered(reply.authorizationInfoJson, token);
    case PartnerAnswer.PARTNER_ANSWER_UNKNOWN_TOKEN:
      return { kind: 'UNKNOWN_TOKEN' };
    // Refused (e.g. OCPI 2002, not enough information) is no decision about the driver either.
    case PartnerAnswer.PARTNER_ANSWER_REFUSED:
    case PartnerAnswer.PARTNER_ANSWER_UNREACHABLE:
    case PartnerAnswer.PARTNER_ANSWER_NO_ENDPOINT:
    case PartnerAnswer.PARTNER_ANSWER_UNSPECIFIED:
    case PartnerAnswer.UNRECOGNIZED:
      return { kind: 'NO_ANSWER', reason: `${partnerService.partnerAnswerToJSON(reply.answer)}: ${reply.message}` };
  }
}

/** The partner's AuthorizationInfo, checked like any input; about another token it is unusable. */
function answered(json: string, token: TokenKey): EmspOutcome {
  let body: unknown;
  try {
    body = JSON.parse(json) as unknown;
  } catch {
    return { kind: 'NO_ANSWER', reason: 'the AuthorizationInfo is not JSON' };
  }
  const parsed = authorizationInfoSchema.safeParse(body);
  if (!parsed.success) return { kind: 'NO_ANSWER', reason: `unusable AuthorizationInfo: ${zodErrorMessage(parsed.error)}` };
  if (tokenKey(parsed.data.token) !== tokenKey(token)) return { kind: 'NO_ANSWER', reason: 'the AuthorizationInfo is about another token' };
  return { kind: 'ANSWERED', info: parsed.data };
}
