import { joinUrl, type Location } from '@voltmesh/ocpi';
import { pushVersion, type PushJob } from '../push/index.js';
import { newestOfEach } from './coalesce.js';
import type { PushTarget } from './push-targets.js';

export interface OwnLocationChange {
  location: Location;
  /** EVSEs whose status alone changed; empty when the change was more than statuses. */
  statusChanges: { evse_uid: string; status: string; last_updated: string }[];
  /** The event's Kafka offset: orders changes of one location within the same millisecond. */
  sequence: string;
  correlationId: string;
}

/** One object key per location and partner: a location's pushes never overtake each other. */
export const locationObjectKey = (location: Location): string => `locations:${`${location.country_code}*${location.party_id}*${location.id}`.toUpperCase()}`;

/**
 * The newest change of each location among several (a fetched batch, in log order). One that
 * stands for several changes carries no status changes, so it is pushed as a PUT: a status
 * PATCH would carry only the last EVSE's change.
 */
export function newestLocationChanges(changes: readonly OwnLocationChange[]): OwnLocationChange[] {
  return newestOfEach(changes, (change) => locationObjectKey(change.location), (candidate, held) => BigInt(candidate.sequence) > BigInt(held.sequence)).map(({ change, superseded }) =>
    superseded > 0 ? { ...change, statusChanges: [] } : change,
  );
}

/**
 * The push of one change of our location to one partner. A change of one EVSE's status is a
 * small EVSE PATCH (status, last_updated) — unless an earlier state of the location is still
 * waiting for this partner: the newest job replaces a pending one, so it must then be the
 * whole location (PUT), which carries the pending change too. Anything else is a PUT.
 */
export function locationPush(change: OwnLocationChange, target: PushTarget, pendingForPartner: boolean): PushJob {
  const { location } = change;
  const base = {
    partnerId: target.partnerId,
    objectKey: locationObjectKey(location),
    version: pushVersion(new Date(location.last_updated), change.sequence),
    routing: { from: { countryCode: location.country_code, partyId: location.party_id }, to: target.to },
    correlationId: change.correlationId,
  };
  const [only, ...more] = change.statusChanges;
  if (only && more.length === 0 && !pendingForPartner) {
    return {
      ...base,
      method: 'PATCH',
      url: joinUrl(target.endpointUrl, location.country_code, location.party_id, location.id, only.evse_uid),
      body: { status: only.status, last_updated: only.last_updated },
    };
  }
  return { ...base, method: 'PUT', url: joinUrl(target.endpointUrl, location.country_code, location.party_id, location.id), body: location };
}
