import { credentials } from '@grpc/grpc-js';
import { AppError, failedPrecondition, internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { parseJsonField, tokenSchema, zodErrorMessage, type Token } from '@voltmesh/ocpi';
import { objects, tokenService } from '@voltmesh/proto';
import type { Party } from '../domain/command.js';

/** Tokens from the authorization service (TokenService.GetToken): our drivers' for commands, any for a session's cdr_token; a deadline on every call. */
export class TokenClient {
  private readonly client: tokenService.TokenServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new tokenService.TokenServiceClient(address, credentials.createInsecure(), observedClient);
  }

  /**
   * One of our own tokens, valid, as its OCPI object. NOT_FOUND (unknown token) and
   * UNAVAILABLE pass through; a partner's token or a blocked one is FAILED_PRECONDITION.
   */
  async getOwnValidToken(party: Party, uid: string, type: string): Promise<Token> {
    const reply = await callUnary<tokenService.GetTokenRequest, tokenService.GetTokenResponse>(
      this.client.getToken.bind(this.client),
      { token: { party, uid, type } },
      this.deadlineMs,
    );
    const stored = reply.token;
    if (!stored) throw internal('authorization service answered GetToken without a token');
    if (stored.owner !== objects.Owner.OWNER_OWN) throw failedPrecondition(`token ${uid} (${type}) is not one of our own tokens: an eMSP may only use its own`);
    let body: unknown;
    try {
      body = JSON.parse(stored.ocpiJson) as unknown;
    } catch {
      throw internal(`authorization service answered token ${uid} with ocpi_json that is not JSON`);
    }
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) throw internal(`authorization service answered an invalid token ${uid}: ${zodErrorMessage(parsed.error)}`);
    if (!parsed.data.valid) throw failedPrecondition(`token ${uid} (${type}) is not valid (blocked)`);
    return parsed.data;
  }

  /**
   * Any token the authorization service holds (ours or a partner's, valid or not) with its owner
   * and the connection that pushed it; undefined when it holds none. Other failures pass through.
   */
  async findToken(party: Party, uid: string, type: string): Promise<{ token: Token; own: boolean; connectionId: string } | undefined> {
    let reply: tokenService.GetTokenResponse;
    try {
      reply = await callUnary<tokenService.GetTokenRequest, tokenService.GetTokenResponse>(this.client.getToken.bind(this.client), { token: { party, uid, type } }, this.deadlineMs);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
    const stored = reply.token;
    if (!stored) throw internal('authorization service answered GetToken without a token');
    const token = parseJsonField(tokenSchema, stored.ocpiJson, `authorization service token ${uid}`, internal);
    return { token, own: stored.owner === objects.Owner.OWNER_OWN, connectionId: stored.connectionId };
  }

  close(): void {
    this.client.close();
  }
}
