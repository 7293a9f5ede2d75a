import { invalidArgument } from '@voltmesh/errors';
import type { tokenService } from '@voltmesh/proto';
import type { DecisionRecord } from '../domain/decision.js';
import { partyKey, uidTypeKey } from '../domain/stored-token.js';
import { decidedByToProto } from './decision-context.js';
import type { DecisionLog } from './decision-log.js';
import { readParty, readTokenType, readUid } from './request-input.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** The audit log of one token (uid and type; one eMSP party when given), newest first. */
export async function listDecisions(log: Pick<DecisionLog, 'list'>, request: tokenService.ListDecisionsRequest): Promise<tokenService.ListDecisionsResponse> {
  if (!request.token) throw invalidArgument('token: required');
  const uid = readUid(request.token.uid, 'token.uid');
  const type = readTokenType(request.token.type, 'token.type');
  const party = readParty(request.token.party, 'token.party');
  const records = await log.list({
    uidType: uidTypeKey(uid, type),
    ...(party ? { party: partyKey(party.country_code, party.party_id) } : {}),
    limit: Math.min(request.limit || DEFAULT_LIMIT, MAX_LIMIT),
  });
  return { decisions: records.map(toProto) };
}

function toProto(record: DecisionRecord): tokenService.Decision {
  return {
    authorizationReference: record.authorization_reference,
    token: {
      party: record.country_code ? { countryCode: record.country_code, partyId: record.party_id } : undefined,
      uid: record.uid,
      type: record.type,
    },
    allowed: record.allowed,
    decidedBy: decidedByToProto(record.decided_by),
    role: record.role,
    connectionId: record.connection_id,
    locationId: record.location_id,
    evseUids: record.evse_uids,
    decidedAt: record.decided_at,
    durationMs: record.duration_ms,
  };
}
