/** A value and when it was put, so readers can judge its age. */
export interface Aged<V> {
  value: V;
  at: number;
}

/**
 * A map that holds at most `capacity` entries and drops the least recently used first
 * (a Map keeps insertion order; a read re-inserts). O(1) per operation.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, Aged<V>>();

  constructor(
    private readonly capacity: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The entry, marked as recently used. */
  get(key: string): Aged<V> | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** The entry without changing its place. */
  peek(key: string): Aged<V> | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.clock() });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
