import type { Logger } from '@voltmesh/telemetry';
import { matchesQuery, newestFirst, type DecisionQuery, type DecisionRecord } from '../domain/decision.js';

/** Where batches go (the decisions collection). */
export interface DecisionSink {
  insertMany(records: DecisionRecord[]): Promise<void>;
  list(query: DecisionQuery): Promise<DecisionRecord[]>;
}

export interface DecisionLogOptions {
  /** A batch this large is written at once. */
  batchSize: number;
  /** Otherwise the buffer is written this often. */
  flushMs: number;
  /** The most decisions held; beyond it the oldest are dropped (and counted in a warning). */
  maxBuffered: number;
}

/**
 * The audit log of decisions, off the answer's path: `record` only appends to a bounded
 * buffer; a timer (or a full batch) writes it in batches. A failed write keeps the batch for
 * the next flush. `stop` writes what is left; decisions recorded after it (calls still
 * draining) are written at once. Reads see buffered decisions too.
 */
export class DecisionLog {
  private buffer: DecisionRecord[] = [];
  /** The batch being written: still readable until it is in the store. */
  private writing: DecisionRecord[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private dropped = 0;
  /** Set while writes fail, so a database outage is logged once, not every flush. */
  private failing = false;

  constructor(
    private readonly sink: DecisionSink,
    private readonly options: DecisionLogOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  /** Never throws and never waits: a decision is answered before it is stored. */
  record(decision: DecisionRecord): void {
    this.buffer.push(decision);
    if (this.buffer.length > this.options.maxBuffered) {
      this.dropped += this.buffer.length - this.options.maxBuffered;
      this.buffer.splice(0, this.buffer.length - this.options.maxBuffered);
    }
    if (this.stopped || this.buffer.length >= this.options.batchSize) void this.flush();
  }

  /** Writes everything buffered (one flush at a time); resolves when done or failed. */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopped = true;
    await this.flush();
    // A flush that started before the last records were added leaves them for one more round.
    if (this.buffer.length > 0) await this.flush();
  }

  /** The newest decisions matching the query, buffered ones included. */
  async list(query: DecisionQuery): Promise<DecisionRecord[]> {
    const pending = [...this.writing, ...this.buffer].filter((record) => matchesQuery(record, query));
    const stored = await this.sink.list(query);
    const byId = new Map<string, DecisionRecord>();
    for (const record of [...stored, ...pending]) byId.set(record.id, record);
    return [...byId.values()].sort(newestFirst).slice(0, query.limit);
  }

  get buffered(): number {
    return this.buffer.length + this.writing.length;
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length > 0) {
      this.writing = this.buffer.splice(0, this.options.batchSize);
      try {
        await this.sink.insertMany(this.writing);
      } catch (error) {
        // Keep the batch (in order) for the next round; the buffer bound still applies.
        const kept = [...this.writing, ...this.buffer];
        this.dropped += Math.max(0, kept.length - this.options.maxBuffered);
        this.buffer = kept.slice(-this.options.maxBuffered);
        if (!this.failing) this.logger.warn({ err: error, buffered: this.buffer.length }, 'writing authorization decisions failed; keeping them for the next flush');
        this.failing = true;
        return;
      } finally {
        this.writing = [];
      }
      if (this.failing) this.logger.info('writing authorization decisions works again');
      this.failing = false;
      if (this.dropped > 0) {
        this.logger.warn({ dropped: this.dropped }, 'authorization decisions dropped: the audit buffer was full');
        this.dropped = 0;
      }
    }
  }
}
