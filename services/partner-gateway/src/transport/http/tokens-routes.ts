import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidBody, OcpiError, OcpiStatus, ocpiSuccess, paginationQuerySchema, parseRoutingHeaders } from '@voltmesh/ocpi';
import type { Caller } from '../../application/partner-registers.js';
import type { TokensClient } from '../../adapters/tokens-client.js';
import { readPartnerToken, receiveTokenWrite, type TokenReceiverDeps } from '../../application/receivers/receive-token.js';
import { tokenTypeQuery, type TokenAddress } from '../../application/receivers/token-write.js';
import { authorizeOwnToken, type OwnParties } from '../../application/senders/authorize-own-token.js';
import { listOwnPage } from '../../application/senders/list-own.js';
import { callerOf, publicRequestUrl } from './route-helpers.js';

const receiverParams = z.object({ country_code: z.string(), party_id: z.string(), token_uid: z.string() });
const authorizeParams = z.object({ token_uid: z.string() });

export interface TokenSenderDeps {
  tokens: Pick<TokensClient, 'listOwn' | 'authorizeOwn'>;
  own: OwnParties;
  maxLimit: number;
}

/**
 * Tokens in both roles:
 * - CPO Receiver `/ocpi/2.2.1/cpo/tokens/{cc}/{pid}/{token_uid}[?type=]`: partner eMSPs PUT,
 *   PATCH and GET their own tokens;
 * - eMSP Sender `/ocpi/2.2.1/emsp/tokens`: partner CPOs GET pages of ours and POST
 *   `{token_uid}/authorize[?type=]` for real-time authorization.
 */
export function registerTokenRoutes(app: FastifyInstance, receiver: TokenReceiverDeps, sender: TokenSenderDeps, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  const path = '/ocpi/2.2.1/cpo/tokens/:country_code/:party_id/:token_uid';
  app.get(path, { config }, async (request) => ocpiSuccess(await readPartnerToken(receiver, callerOf(request), address(request))));
  app.put(path, { config }, async (request) => {
    await receiveTokenWrite(receiver, callerOf(request), 'PUT', address(request), request.body);
    return ocpiSuccess();
  });
  app.patch(path, { config }, async (request) => {
    await receiveTokenWrite(receiver, callerOf(request), 'PATCH', address(request), request.body);
    return ocpiSuccess();
  });

  const pageQuery = paginationQuerySchema(sender.maxLimit);
  app.get('/ocpi/2.2.1/emsp/tokens', { config }, async (request, reply) => {
    requireCpo(callerOf(request));
    const query = pageQuery.safeParse(request.query);
    if (!query.success) throw invalidBody(query.error);
    const page = await listOwnPage(sender.tokens, sender.maxLimit, query.data, publicRequestUrl(publicUrl, request));
    return reply.headers(page.headers).send(ocpiSuccess(page.data));
  });
  app.post('/ocpi/2.2.1/emsp/tokens/:token_uid/authorize', { config }, async (request) => {
    const { token_uid: uid } = authorizeParams.parse(request.params);
    requireCpo(callerOf(request));
    const info = await authorizeOwnToken(sender.tokens, sender.own, callerOf(request), {
      uid,
      type: tokenType(request),
      routing: parseRoutingHeaders(request.headers),
      body: request.body,
    });
    return ocpiSuccess(info);
  });
}

/**
 * Our tokens are for the CPOs our drivers charge at (and the hubs between us): another eMSP
 * connected to us must not page through our drivers' contracts or probe which cards are valid.
 */
function requireCpo(caller: Caller): void {
  if (!caller.connection.roles.some((role) => role.role === 'CPO' || role.role === 'HUB')) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'tokens are served to CPOs: your credentials name no CPO role', { httpStatus: 404 });
  }
}

function address(request: FastifyRequest): TokenAddress {
  const params = receiverParams.parse(request.params);
  return { countryCode: params.country_code, partyId: params.party_id, uid: params.token_uid, type: tokenType(request) };
}

function tokenType(request: FastifyRequest): string {
  const query = tokenTypeQuery.safeParse(request.query);
  if (!query.success) throw invalidBody(query.error);
  return query.data.type;
}
