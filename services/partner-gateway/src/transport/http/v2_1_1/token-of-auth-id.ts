import { OcpiError, OcpiStatus, type CdrToken } from '@voltmesh/ocpi';
import type { TokensClient } from '../../../adapters/tokens-client.js';

/**
 * The token of ours a 2.1.1 Session or CDR names: 2.1.1 carries only `auth_id` (2.2.1's
 * contract_id), not the card's uid and type. A contract with several cards is charged to the
 * first (the CdrToken's uid then names that card; the contract is what billing charges).
 * None: 2001 naming auth_id, nothing stored.
 */
export async function tokenOfAuthId(tokens: Pick<TokensClient, 'findOwnByContractId'>, authId: string): Promise<CdrToken> {
  const [token] = await tokens.findOwnByContractId(authId, 1);
  if (!token) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `auth_id: ${authId} is not a contract of ours`);
  return { country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type, contract_id: token.contract_id };
}
