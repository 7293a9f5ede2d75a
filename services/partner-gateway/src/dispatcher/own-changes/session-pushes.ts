import { joinUrl, type Session } from '@voltmesh/ocpi';
import { pushVersion, type PushJob } from '../push/index.js';
import type { PushTarget } from './push-targets.js';

export interface OwnSessionChange {
  session: Session;
  /** The sessions service's revision of this state: orders states of one session. */
  revision: string;
  correlationId: string;
}

/**
 * The push of one state of our CPO's session to the eMSP of its token: the whole session,
 * with `charging_periods` as the append list, so the push engine sends a PUT until the eMSP
 * holds the session and then PATCHes with the new periods, cost and figures (OCPI 2.2.1 §6).
 * A coalesced newer state carries every earlier change.
 */
export function sessionPush(change: OwnSessionChange, target: PushTarget): PushJob {
  const { session } = change;
  return {
    partnerId: target.partnerId,
    objectKey: `sessions:${`${session.country_code}*${session.party_id}*${session.id}`.toUpperCase()}`,
    version: pushVersion(new Date(session.last_updated), change.revision),
    routing: { from: { countryCode: session.country_code, partyId: session.party_id }, to: target.to },
    correlationId: change.correlationId,
    method: 'PUT',
    url: joinUrl(target.endpointUrl, session.country_code, session.party_id, session.id),
    body: session,
    appendList: 'charging_periods',
  };
}
