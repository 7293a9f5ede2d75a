import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OcpiError, OcpiStatus, ocpiSuccess, paginationQuerySchema, type Token } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { Caller } from '../../../application/partner-registers.js';
import { readPartnerToken, receiveTokenWrite, tokenToPatch, type TokenReceiverDeps } from '../../../application/receivers/receive-token.js';
import type { TokenAddress } from '../../../application/receivers/token-write.js';
import { authorizeOwnToken } from '../../../application/senders/authorize-own-token.js';
import { listOwnPage } from '../../../application/senders/list-own.js';
import { authorizationInfoTo211, locationReferencesFrom211, tokenFrom211, tokenPatchFrom211, tokenTo211 } from '../../../edge/v2_1_1/tokens.js';
import type { TokenSenderDeps } from '../tokens-routes.js';
import { callerOf, publicRequestUrl } from '../route-helpers.js';
import { parse211, V211, withLastUpdated, type Edge211 } from './edge-211.js';

const receiverParams = z.object({ country_code: z.string(), party_id: z.string(), token_uid: z.string() });
const authorizeParams = z.object({ token_uid: z.string() });
/** 2.1.1 types a token by `?type=` on authorize only (RFID when absent); its other URLs name the uid alone. */
const authorizeQuery = z.object({ type: v211.tokenTypeSchema.optional() });
const TYPES_211: readonly string[] = ['RFID', 'OTHER'];

/**
 * Tokens for 2.1.1 partners:
 * - CPO Receiver `/ocpi/2.1.1/cpo/tokens/{cc}/{pid}/{token_uid}` (GET, PUT, PATCH): a 2.1.1
 *   token is keyed by uid alone, so GET and PATCH find it under either 2.1.1 type;
 * - eMSP Sender `/ocpi/2.1.1/emsp/tokens` (pages of ours) and `POST {token_uid}/authorize`
 *   (real-time authorization; 2.1.1 has no 2004, an unknown token is 404 / 2000).
 */
export function registerTokenRoutes211(app: FastifyInstance, edge: Edge211, receiver: TokenReceiverDeps, sender: TokenSenderDeps, publicUrl: string): void {
  const config = { auth: 'registered' as const };
  const path = `${V211}/cpo/tokens/:country_code/:party_id/:token_uid`;
  app.get(path, { config }, async (request) => {
    const caller = callerOf(request);
    const token = await typedToken(receiver, caller, address(request));
    return ocpiSuccess(edge.outbound(request, 'tokens', token.uid, () => tokenTo211(token)));
  });
  app.put(path, { config }, async (request) => {
    const at = address(request);
    const mapped = edge.inbound(request, 'tokens', at.uid, () => tokenFrom211(parse211(v211.tokenSchema, request.body), { countryCode: at.countryCode, partyId: at.partyId }));
    await receiveTokenWrite(receiver, callerOf(request), 'PUT', { ...at, type: mapped.value.type }, mapped.value);
    return ocpiSuccess(undefined, mapped.message);
  });
  app.patch(path, { config }, async (request) => {
    const caller = callerOf(request);
    const at = address(request);
    const mapped = edge.inbound(request, 'tokens', at.uid, () => tokenPatchFrom211(parse211(v211.tokenPatchSchema, request.body)));
    // As a 2.2.1 PATCH finds its token: the PUT acknowledged just before may still be in Kafka.
    const stored = await tokenToPatch(receiver, caller, at, TYPES_211);
    await receiveTokenWrite(receiver, caller, 'PATCH', { ...at, type: stored.type }, withLastUpdated(mapped.value));
    return ocpiSuccess(undefined, mapped.message);
  });

  const pageQuery = paginationQuerySchema(sender.maxLimit);
  app.get(`${V211}/emsp/tokens`, { config }, async (request, reply) => {
    requireCpo(callerOf(request));
    const page = await listOwnPage(sender.tokens, sender.maxLimit, parse211(pageQuery, request.query), publicRequestUrl(publicUrl, request));
    const data = edge.outboundPage(request, 'tokens', page.data, (token) => token.uid, tokenTo211);
    return reply.headers(page.headers).send(ocpiSuccess(data));
  });
  app.post(`${V211}/emsp/tokens/:token_uid/authorize`, { config }, async (request) => {
    const caller = callerOf(request);
    requireCpo(caller);
    const { token_uid: uid } = authorizeParams.parse(request.params);
    const { type = 'RFID' } = parse211(authorizeQuery, request.query);
    const hasBody = request.body !== undefined && request.body !== null && request.body !== '';
    const references = hasBody ? edge.inbound(request, 'tokens', uid, () => locationReferencesFrom211(parse211(v211.locationReferencesSchema, request.body))) : undefined;
    const info = await authorizeOwnToken(sender.tokens, sender.own, caller, { uid, type, routing: {}, body: references?.value });
    return ocpiSuccess(edge.outbound(request, 'tokens', uid, () => authorizationInfoTo211(info)), references?.message);
  });
}

/** The partner's token of this uid, whichever 2.1.1 type it has (2.1.1 URLs name none). */
async function typedToken(receiver: TokenReceiverDeps, caller: Caller, at: Omit<TokenAddress, 'type'>): Promise<Token> {
  for (const type of TYPES_211) {
    try {
      return await readPartnerToken(receiver, caller, { ...at, type });
    } catch (error) {
      if (!(error instanceof OcpiError && error.httpStatus === 404)) throw error;
    }
  }
  throw new OcpiError(OcpiStatus.CLIENT_ERROR, `unknown token ${at.uid}`, { httpStatus: 404 });
}

/** Our tokens are for CPOs (see tokens-routes.ts): a 2.1.1 connection is one, or an eMSP. */
function requireCpo(caller: Caller): void {
  if (!caller.connection.roles.some((role) => role.role === 'CPO')) {
    throw new OcpiError(OcpiStatus.CLIENT_ERROR, 'tokens are served to CPOs: this connection is an eMSP', { httpStatus: 404 });
  }
}

function address(request: FastifyRequest): Omit<TokenAddress, 'type'> {
  const params = receiverParams.parse(request.params);
  return { countryCode: params.country_code, partyId: params.party_id, uid: params.token_uid };
}
