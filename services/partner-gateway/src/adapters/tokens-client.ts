import { credentials } from '@grpc/grpc-js';
import { AppError } from '@voltmesh/errors';
import { callUnary } from '@voltmesh/grpc';
import { authorizationInfoSchema, tokenSchema, zodErrorMessage, type AuthorizationInfo, type Token } from '@voltmesh/ocpi';
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
    this.client = new tokenService.TokenServiceClient(address, credentials.createInsecure());
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

  /** Real-time authorization of one of our tokens for a partner CPO; undefined when the token is unknown. */
  async authorizeOwn(request: tokenService.AuthorizeOwnTokenRequest): Promise<AuthorizationInfo | undefined> {
    try {
      const reply = await callUnary<tokenService.AuthorizeOwnTokenRequest, tokenService.AuthorizeOwnTokenResponse>(
        this.client.authorizeOwnToken.bind(this.client),
        request,
        this.deadlineMs,
      );
      const parsed = authorizationInfoSchema.safeParse(parseJson(reply.authorizationInfoJson, 'AuthorizationInfo'));
      if (!parsed.success) throw new AppError('INTERNAL', `authorization service answered an invalid AuthorizationInfo: ${zodErrorMessage(parsed.error)}`);
      return parsed.data;
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
  const parsed = tokenSchema.safeParse(parseJson(token.ocpiJson, `token ${token.uid}`));
  if (!parsed.success) throw new AppError('INTERNAL', `authorization service returned an invalid token ${token.uid}: ${zodErrorMessage(parsed.error)}`);
  return { token: parsed.data, connectionId: token.connectionId, owner: token.owner === objects.Owner.OWNER_OWN ? 'OWN' : 'PARTNER' };
}

/** A service's JSON field: unparsable is the service's fault (INTERNAL), never an unhandled SyntaxError. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('INTERNAL', `the service answered ${what} that is not JSON`);
  }
}
