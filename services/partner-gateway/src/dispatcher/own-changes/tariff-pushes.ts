import { joinUrl, type Tariff } from '@voltmesh/ocpi';
import { pushVersion, type PushJob } from '../push/index.js';
import type { PushTarget } from './push-targets.js';

export interface OwnTariffChange {
  tariff: Tariff;
  deleted: boolean;
  /** The event's Kafka offset: a deletion shares its tariff's last_updated and comes later on the log. */
  sequence: string;
  correlationId: string;
}

/** The push of one change of our tariff to one partner: PUT the tariff, or DELETE it. */
export function tariffPush(change: OwnTariffChange, target: PushTarget): PushJob {
  const { tariff } = change;
  const url = joinUrl(target.endpointUrl, tariff.country_code, tariff.party_id, tariff.id);
  const base = {
    partnerId: target.partnerId,
    objectKey: `tariffs:${`${tariff.country_code}*${tariff.party_id}*${tariff.id}`.toUpperCase()}`,
    version: pushVersion(new Date(tariff.last_updated), change.sequence),
    routing: { from: { countryCode: tariff.country_code, partyId: tariff.party_id }, to: target.to },
    correlationId: change.correlationId,
    url,
  };
  return change.deleted ? { ...base, method: 'DELETE', body: undefined } : { ...base, method: 'PUT', body: tariff };
}
