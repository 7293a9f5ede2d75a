import { failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { objects, type tokens } from '@voltmesh/proto';
import { partyKey, tokenKey, type TokenKey } from '../domain/stored-token.js';
import { patchToken, putToken, type TokenChange } from '../domain/token-change.js';
import { readParty, readToken, readTokenPatch, readTokenType, readUid } from './request-input.js';
import type { TokenWriter, WriteResult } from './token-writer.js';

/**
 * Applies a partner eMSP's token write from gateway.partner-token.v1. The gateway validated it
 * already; it is parsed again because a Kafka message is input like any other. A partner never
 * writes under one of our own parties (`ownParties`, `CC*PID`).
 */
export async function applyPartnerTokenWrite(writer: TokenWriter, ownParties: ReadonlySet<string>, write: tokens.PartnerTokenWrite): Promise<WriteResult> {
  if (!write.connectionId) throw invalidArgument('PartnerTokenWrite.connection_id: required');
  const party = readParty(write.party, 'PartnerTokenWrite.party');
  if (!party) throw invalidArgument('PartnerTokenWrite.party: required');
  const key: TokenKey = { ...party, uid: readUid(write.uid, 'PartnerTokenWrite.uid'), type: readTokenType(write.type, 'PartnerTokenWrite.type') };
  if (ownParties.has(partyKey(party.country_code, party.party_id))) {
    throw failedPrecondition(`token ${tokenKey(key)} belongs to one of our own parties`);
  }
  return writer.write(key, { owner: 'PARTNER', connectionId: write.connectionId }, changeOf(write, key));
}

function changeOf(write: tokens.PartnerTokenWrite, key: TokenKey): TokenChange {
  switch (write.method) {
    case objects.WriteMethod.WRITE_METHOD_PUT: {
      const token = readToken(write.ocpiJson, 'PartnerTokenWrite.ocpi_json');
      if (tokenKey(token) !== tokenKey(key)) throw invalidArgument(`PartnerTokenWrite token ${tokenKey(token)} does not match its key ${tokenKey(key)}`);
      return (stored) => putToken(stored, token);
    }
    case objects.WriteMethod.WRITE_METHOD_PATCH: {
      const patch = readTokenPatch(write.ocpiJson, 'PartnerTokenWrite.ocpi_json');
      return (stored) => patchToken(stored, patch);
    }
    default:
      throw invalidArgument(`PartnerTokenWrite with unsupported method ${objects.writeMethodToJSON(write.method)}`);
  }
}
