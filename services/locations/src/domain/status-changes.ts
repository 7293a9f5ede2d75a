import { type Location, sameContent } from '@voltmesh/ocpi';

export interface EvseStatusChange {
  evse_uid: string;
  status: string;
  last_updated: string;
}

/**
 * When a change between two states of a location is nothing but EVSE statuses (and the
 * timestamps they bump), the EVSEs whose status changed; otherwise undefined. The dispatcher
 * sends the first kind as small EVSE PATCHes and anything else as the whole location.
 */
export function statusOnlyChanges(before: Location | undefined, after: Location): EvseStatusChange[] | undefined {
  if (!before || before.evses.length !== after.evses.length) return undefined;
  if (!sameContent(withoutStatus(before), withoutStatus(after))) return undefined;
  const changes: EvseStatusChange[] = [];
  after.evses.forEach((evse, index) => {
    if (before.evses[index]?.status !== evse.status) changes.push({ evse_uid: evse.uid, status: evse.status, last_updated: evse.last_updated });
  });
  return changes.length > 0 ? changes : undefined;
}

function withoutStatus(location: Location): unknown {
  return {
    ...location,
    last_updated: '',
    evses: location.evses.map((evse) => ({ ...evse, status: '', last_updated: '' })),
  };
}
