import { invalidArgument, notFound } from '@voltmesh/errors';
import { readListRequest, unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { tokenService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { TokenStore } from '../adapters/token-store.js';
import { authorizeAtCpo } from '../application/authorize-at-cpo.js';
import { authorizeOwnToken } from '../application/authorize-own-token.js';
import type { AuthorizeDeps } from '../application/decision-context.js';
import type { DecisionLog } from '../application/decision-log.js';
import { listDecisions } from '../application/list-decisions.js';
import { blockOwnToken, issueOwnToken, updateOwnTokenRequest, type EmspParties } from '../application/own-tokens.js';
import { readTokenKey } from '../application/request-input.js';
import type { TokenCache } from '../application/token-cache.js';
import { toProto } from '../application/token-proto.js';
import type { TokenWriter, WriteResult } from '../application/token-writer.js';
import { tokenKey } from '../domain/stored-token.js';
import type { AuthorizationConfig } from '../config.js';

export interface TokenServiceDeps {
  store: TokenStore;
  cache: TokenCache;
  writer: TokenWriter;
  decisionLog: DecisionLog;
  authorize: AuthorizeDeps;
  emspParties: EmspParties;
  limits: Pick<AuthorizationConfig, 'LIST_DEFAULT_LIMIT' | 'LIST_MAX_LIMIT'>;
  logger: Logger;
}

/** TokenService: what our driver service, our CSMS and the gateway ask of tokens and authorization. */
export function tokenServiceBinding(deps: TokenServiceDeps): GrpcServiceBinding {
  const { store, cache, writer, logger, limits } = deps;
  const written = (result: WriteResult) => {
    if (!result.stored) throw new Error('a write returned no token');
    return { token: toProto(result.stored), changed: result.changed };
  };
  const implementation: tokenService.TokenServiceServer = {
    issueToken: unary(logger, async (request: tokenService.IssueTokenRequest) => written(await issueOwnToken(writer, deps.emspParties, request))),
    updateToken: unary(logger, async (request: tokenService.UpdateTokenRequest) => written(await updateOwnTokenRequest(writer, request))),
    blockToken: unary(logger, async (request: tokenService.BlockTokenRequest) => written(await blockOwnToken(writer, request))),
    getToken: unary(logger, async (request: tokenService.GetTokenRequest) => {
      const key = readTokenKey(request.token);
      const known = await cache.get(tokenKey(key));
      if (!known) throw notFound(`unknown token ${tokenKey(key)}`);
      return { token: toProto(known) };
    }),
    listTokens: unary(logger, async (request: tokenService.ListTokensRequest) => {
      const { filter, offset, limit } = readListRequest(request, { defaultLimit: limits.LIST_DEFAULT_LIMIT, maxLimit: limits.LIST_MAX_LIMIT });
      if (filter.party && !/^[A-Z]{2}\*[A-Z0-9]{3}$/i.test(`${filter.party.country_code}*${filter.party.party_id}`)) throw invalidArgument('party: must be a 2-letter country code and a 3-character party id');
      const page = await store.list({ ...filter, ...(request.contractId ? { contractId: request.contractId } : {}), ...(request.connectionId ? { connectionId: request.connectionId } : {}) }, offset, limit);
      return { tokens: page.items.map(toProto), page: { total: page.total, limit } };
    }),
    authorizeOwnToken: unary(logger, (request: tokenService.AuthorizeOwnTokenRequest) => authorizeOwnToken(deps.authorize, request)),
    authorize: unary(logger, (request: tokenService.AuthorizeRequest) => authorizeAtCpo(deps.authorize, request)),
    listDecisions: unary(logger, (request: tokenService.ListDecisionsRequest) => listDecisions(deps.decisionLog, request)),
  };
  return { name: 'voltmesh.authorization.v1.TokenService', definition: tokenService.TokenServiceService, implementation };
}
