import { joinUrl, type Token } from '@voltmesh/ocpi';
import { pushVersion, type PushJob } from '../push/index.js';
import type { PushTarget } from './push-targets.js';

export interface OwnTokenChange {
  token: Token;
  /** The event's Kafka offset: orders changes of one token within the same millisecond. */
  sequence: string;
  correlationId: string;
}

/**
 * The push of one change of our token to one partner CPO: always the whole token (PUT), so a
 * coalesced newer state carries every earlier change. Tokens are never deleted (valid=false).
 */
export function tokenPush(change: OwnTokenChange, target: PushTarget): PushJob {
  const { token } = change;
  return {
    partnerId: target.partnerId,
    objectKey: `tokens:${`${token.country_code}*${token.party_id}*${token.uid}*${token.type}`.toUpperCase()}`,
    version: pushVersion(new Date(token.last_updated), change.sequence),
    routing: { from: { countryCode: token.country_code, partyId: token.party_id }, to: target.to },
    correlationId: change.correlationId,
    method: 'PUT',
    // 2.1.1 tokens are keyed by uid alone: its Receiver URL has no type.
    url: `${joinUrl(target.endpointUrl, token.country_code, token.party_id, token.uid)}${target.version === '2.1.1' ? '' : `?type=${encodeURIComponent(token.type)}`}`,
    body: token,
  };
}
