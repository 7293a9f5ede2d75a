/**
 * The newest change of each object in a fetched batch, in first-seen order. A consumer that is
 * behind (after a restart, or under load) then writes each object's outbox record once per
 * batch instead of once per event: catching up costs the number of objects, not of events.
 * The outbox keeps only the newest pending state anyway, so nothing a partner needs is lost.
 */
export function newestOfEach<T>(changes: Iterable<T>, keyOf: (change: T) => string, isNewer: (candidate: T, held: T) => boolean): { change: T; superseded: number }[] {
  const held = new Map<string, { change: T; superseded: number }>();
  for (const change of changes) {
    const key = keyOf(change);
    const previous = held.get(key);
    if (!previous) held.set(key, { change, superseded: 0 });
    else held.set(key, { change: isNewer(change, previous.change) ? change : previous.change, superseded: previous.superseded + 1 });
  }
  return [...held.values()];
}
