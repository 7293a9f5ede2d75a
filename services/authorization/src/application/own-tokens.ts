import { invalidArgument } from '@voltmesh/errors';
import type { tokenService } from '@voltmesh/proto';
import { partyKey } from '../domain/stored-token.js';
import { blockToken, putToken, updateOwnToken } from '../domain/token-change.js';
import { readAccount } from './token-proto.js';
import { readToken, readTokenKey, readTokenPatch } from './request-input.js';
import type { TokenWriter, WriteResult } from './token-writer.js';

/** Our eMSP parties, `CC*PID`: the only ones our own API issues tokens for. */
export type EmspParties = ReadonlySet<string>;

/** Our driver service issues (or replaces) one of its tokens; without an account the stored rules stay. */
export async function issueOwnToken(writer: TokenWriter, emspParties: EmspParties, request: tokenService.IssueTokenRequest): Promise<WriteResult> {
  const token = readToken(request.ocpiJson, 'ocpi_json');
  if (!emspParties.has(partyKey(token.country_code, token.party_id))) {
    throw invalidArgument(`ocpi_json: party ${partyKey(token.country_code, token.party_id)} is not one of our eMSP parties (${[...emspParties].join(', ')})`);
  }
  const account = request.account ? readAccount(request.account, 'account') : undefined;
  return writer.write(token, { owner: 'OWN' }, (stored) => putToken(stored, token, account));
}

/** Changes fields and/or the account rules of one of our tokens, dated now. */
export async function updateOwnTokenRequest(writer: TokenWriter, request: tokenService.UpdateTokenRequest, now: () => Date = () => new Date()): Promise<WriteResult> {
  const key = readTokenKey(request.token);
  const patch = request.patchJson ? readTokenPatch(request.patchJson, 'patch_json') : {};
  const account = request.account ? readAccount(request.account, 'account') : undefined;
  return writer.write(key, { owner: 'OWN' }, (stored) => updateOwnToken(stored, patch, account, now()));
}

/** Blocks one of our tokens (valid=false); partners learn it by push. */
export async function blockOwnToken(writer: TokenWriter, request: tokenService.BlockTokenRequest, now: () => Date = () => new Date()): Promise<WriteResult> {
  const key = readTokenKey(request.token);
  return writer.write(key, { owner: 'OWN' }, (stored) => blockToken(stored, now()));
}
