import { credentials } from '@grpc/grpc-js';
import { AppError, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { authorizationInfoSchema, parseJsonField, tokenSchema, type AuthorizationInfo, type Token } from '@voltmesh/ocpi';
import { objects, tokenService, type tokens } from '@voltmesh/proto';

/** A token and the partner connection that pushed it (empty for ours). */
export interface StoredToken {
  token: Token;
  connectionId: string;
  owner: 'OWN' | 'PARTNER';
}

/** The gateway's calls to the authorization service, with a deadline on every call. */
export class TokensClient {
  private readonly client: tokenService.TokenServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new tokenService.TokenServiceClient(address, credentials.createInsecure(), observedClient);
  }

  async get(countryCode: string, partyId: string, uid: string, type: string): Promise<StoredToken | undefined> {
    try {
      const reply = await callUnary<tokenService.GetTokenRequest, tokenService.GetTokenResponse>(
        this.client.getToken.bind(this.client),
        { token: { party: { countryCode, partyId }, uid, type } },
        this.deadlineMs,
      );
      return reply.token ? fromProto(reply.token) : undefined;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** One page of our own tokens (the eMSP Sender interface). */
  async listOwn(page: { offset: number; limit: number; dateFrom?: string; dateTo?: string }): Promise<{ items: Token[]; total: number }> {
    const reply = await callUnary<tokenService.ListTokensRequest, tokenService.ListTokensResponse>(
      this.client.listTokens.bind(this.client),
      tokenService.ListTokensRequest.fromPartial({
        owner: objects.Owner.OWNER_OWN,
        page: { offset: page.offset, limit: page.limit, dateFrom: page.dateFrom ?? '', dateTo: page.dateTo ?? '' },
      }),
      this.deadlineMs,
    );
    return { items: reply.tokens.map((token) => fromProto(token).token), total: reply.page?.total ?? 0 };
  }

  /**
   * Our tokens with this contract id (a 2.1.1 Session or CDR names the driver by `auth_id`
   * only). A contract may have several cards: all are returned, at most `limit`.
   */
  async findOwnByContractId(contractId: string, limit = 10): Promise<Token[]> {
    const reply = await callUnary<tokenService.ListTokensRequest, tokenService.ListTokensResponse>(
      this.client.listTokens.bind(this.client),
      tokenService.ListTokensRequest.fromPartial({ owner: objects.Owner.OWNER_OWN, contractId, page: { offset: 0, limit } }),
      this.deadlineMs,
    );
    return reply.tokens.map((token) => fromProto(token).token);
  }

  /** Real-time authorization of one of our tokens for a partner CPO; undefined when the token is unknown. */
  async authorizeOwn(request: tokenService.AuthorizeOwnTokenRequest): Promise<AuthorizationInfo | undefined> {
    try {
      const reply = await callUnary<tokenService.AuthorizeOwnTokenRequest, tokenService.AuthorizeOwnTokenResponse>(
        this.client.authorizeOwnToken.bind(this.client),
        request,
        this.deadlineMs,
      );
      return parseJsonField(authorizationInfoSchema, reply.authorizationInfoJson, 'authorization service AuthorizationInfo', internal);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  close(): void {
    this.client.close();
  }
}

/** The service stores only validated tokens; a reply that is not one is a server fault. */
function fromProto(token: tokens.Token): StoredToken {
  const parsed = parseJsonField(tokenSchema, token.ocpiJson, `authorization service token ${token.uid}`, internal);
  return { token: parsed, connectionId: token.connectionId, owner: token.owner === objects.Owner.OWNER_OWN ? 'OWN' : 'PARTNER' };
}

