import type { ChargingPeriod } from '@voltmesh/ocpi';

/**
 * Sealed chunks of charging periods this process wrote or read, least recently used first out,
 * bounded by the number of periods held. A sealed chunk never changes (a new state of a session
 * writes new chunks under new ids), so a cached one is never stale: the cache only saves reads.
 */
export class PeriodChunkCache {
  private readonly chunks = new Map<string, readonly ChargingPeriod[]>();
  private periods = 0;

  constructor(private readonly maxPeriods: number) {}

  get(id: string): readonly ChargingPeriod[] | undefined {
    const chunk = this.chunks.get(id);
    if (chunk) {
      // Map keeps insertion order: re-inserting makes it the most recently used.
      this.chunks.delete(id);
      this.chunks.set(id, chunk);
    }
    return chunk;
  }

  put(id: string, periods: readonly ChargingPeriod[]): void {
    if (this.chunks.has(id)) return;
    this.chunks.set(id, periods);
    this.periods += periods.length;
    for (const [oldest, chunk] of this.chunks) {
      if (this.periods <= this.maxPeriods) break;
      this.chunks.delete(oldest);
      this.periods -= chunk.length;
    }
  }

  delete(id: string): void {
    const chunk = this.chunks.get(id);
    if (!chunk) return;
    this.chunks.delete(id);
    this.periods -= chunk.length;
  }

  get size(): { chunks: number; periods: number } {
    return { chunks: this.chunks.size, periods: this.periods };
  }
}
