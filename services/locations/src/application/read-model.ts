import type { LocationStore } from '../adapters/location-store.js';
import { locationKey, type LocationKey, type Owner, type StoredLocation } from '../domain/stored-location.js';

export interface ListFilter {
  owner?: Owner;
  party?: { country_code: string; party_id: string };
  /** Inclusive, UTC in our emitted form. */
  dateFrom?: string;
  /** Exclusive. */
  dateTo?: string;
}

interface Entry {
  /** `last_updated NUL key`: list order (last_updated, then identity), stable across pages. */
  order: string;
  stored: StoredLocation;
}

/**
 * Every location in memory, in list order, kept current by the writer of this process.
 *
 * Why: reads must not scan the collection. FerretDB 1.24 on SQLite serves only `_id` lookups
 * from an index; a sorted page, a count or a range over 50,000 locations takes tens of seconds
 * there (measured), and partners page through all of them. The store stays the truth: the
 * model is loaded from it at start, every save updates it, and a write that loses a race
 * re-reads the store. With several replicas each one's model lags the others' writes (see
 * README); locally and in CI one instance runs.
 */
export class LocationReadModel {
  private readonly byKey = new Map<string, Entry>();
  /** Sorted by `order`. */
  private sorted: Entry[] = [];
  /** Keys saved but whose event is not known to be on Kafka yet, with when they were saved. */
  private readonly unpublished = new Map<string, number>();

  async load(store: LocationStore): Promise<number> {
    const entries: Entry[] = [];
    for await (const stored of store.all()) {
      entries.push({ order: orderOf(stored), stored });
      if (stored.unpublished) this.unpublished.set(locationKey(stored), 0);
    }
    entries.sort((a, b) => compare(a.order, b.order));
    this.sorted = entries;
    this.byKey.clear();
    for (const entry of entries) this.byKey.set(locationKey(entry.stored), entry);
    return entries.length;
  }

  /** The revision held for a location, 0 when none. */
  revisionOf(key: LocationKey): number {
    return this.byKey.get(locationKey(key))?.stored.rev ?? 0;
  }

  get(key: LocationKey): StoredLocation | undefined {
    return this.byKey.get(locationKey(key))?.stored;
  }

  /** Records a saved (or announced) state; an older revision than the one held is ignored. */
  put(stored: StoredLocation): void {
    const previous = this.byKey.get(locationKey(stored));
    if (previous && previous.stored.rev > stored.rev) return;
    this.record(stored, previous);
  }

  /** Records the store's state even over a higher revision held (a re-read: the store is the truth). */
  replace(stored: StoredLocation): void {
    this.record(stored, this.byKey.get(locationKey(stored)));
  }

  private record(stored: StoredLocation, previous: Entry | undefined): void {
    const key = locationKey(stored);
    if (previous) this.sorted.splice(this.indexOf(previous), 1);
    const entry = { order: orderOf(stored), stored };
    this.sorted.splice(this.insertionPoint(entry.order), 0, entry);
    this.byKey.set(key, entry);
    if (stored.unpublished) this.unpublished.set(key, Date.now());
  }

  /** The event of this revision is on Kafka. */
  published(stored: StoredLocation): void {
    const key = locationKey(stored);
    if (this.byKey.get(key)?.stored.rev === stored.rev) {
      this.unpublished.delete(key);
      this.byKey.get(key)!.stored.unpublished = false;
    }
  }

  /** States saved more than `graceMs` ago whose events may be missing. */
  unpublishedSince(graceMs: number, limit: number): StoredLocation[] {
    const before = Date.now() - graceMs;
    const found: StoredLocation[] = [];
    for (const [key, savedAt] of this.unpublished) {
      if (savedAt > before) continue;
      const stored = this.byKey.get(key)?.stored;
      if (stored) found.push(stored);
      if (found.length >= limit) break;
    }
    return found;
  }

  /** One page in list order and the number of all matches. */
  list(filter: ListFilter, offset: number, limit: number): { items: StoredLocation[]; total: number } {
    const start = filter.dateFrom ? this.insertionPoint(filter.dateFrom) : 0;
    const party = filter.party ? `${filter.party.country_code}*${filter.party.party_id}*`.toUpperCase() : undefined;
    const items: StoredLocation[] = [];
    let total = 0;
    for (let index = start; index < this.sorted.length; index += 1) {
      const { stored } = this.sorted[index]!;
      if (filter.dateTo && stored.location.last_updated >= filter.dateTo) break;
      if (filter.owner && stored.owner !== filter.owner) continue;
      if (party && !locationKey(stored).startsWith(party)) continue;
      if (total >= offset && items.length < limit) items.push(stored);
      total += 1;
    }
    return { items, total };
  }

  /** Every location, for searches that test each one (near-by EVSEs). */
  values(): StoredLocation[] {
    return [...this.byKey.values()].map((entry) => entry.stored);
  }

  get size(): number {
    return this.byKey.size;
  }

  private indexOf(entry: Entry): number {
    const at = this.insertionPoint(entry.order);
    for (let index = at; index < this.sorted.length; index += 1) if (this.sorted[index] === entry) return index;
    return this.sorted.indexOf(entry);
  }

  /** First index whose order is >= `order` (binary search). */
  private insertionPoint(order: string): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(this.sorted[middle]!.order, order) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

const orderOf = (stored: StoredLocation): string => `${stored.location.last_updated}\u0000${locationKey(stored)}`;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
