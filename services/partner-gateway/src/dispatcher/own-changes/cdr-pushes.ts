import type { Cdr } from '@voltmesh/ocpi';
import { pushVersion, type PushJob } from '../push/index.js';
import type { PushTarget } from './push-targets.js';

export interface OwnCdrChange {
  cdr: Cdr;
  correlationId: string;
}

/**
 * The POST of one of our CDRs to the eMSP of its token. A CDR never changes (corrections are
 * new credit CDRs), so its one version comes from the CDR itself: a replayed event is 'stale'
 * and never posts it twice, and the outbox retries it until the eMSP acknowledges it.
 */
export function cdrPush(change: OwnCdrChange, target: PushTarget): PushJob {
  const { cdr } = change;
  return {
    partnerId: target.partnerId,
    objectKey: `cdrs:${`${cdr.country_code}*${cdr.party_id}*${cdr.id}`.toUpperCase()}`,
    version: pushVersion(new Date(cdr.last_updated)),
    routing: { from: { countryCode: cdr.country_code, partyId: cdr.party_id }, to: target.to },
    correlationId: change.correlationId,
    method: 'POST',
    url: target.endpointUrl,
    body: cdr,
  };
}
