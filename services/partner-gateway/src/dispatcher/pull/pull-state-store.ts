import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError, mongoCall } from '@voltmesh/mongo';
import type { CrawlStop, CrawlTolerance } from './crawl.js';

/** What the last complete crawl of one (connection, module) reported. */
export interface PullRunSummary {
  mode: 'full' | 'incremental';
  startedAt: Date;
  finishedAt: Date;
  pages: number;
  objects: number;
  stoppedBecause: CrawlStop;
  tolerated: CrawlTolerance[];
  dateFrom?: Date;
  maxLastUpdated?: Date;
}

/**
 * One document per (connection, module) in `pull_state`: everything about its sync changes
 * together in this one document, with single-document atomic updates only (FerretDB).
 */
export interface PullState {
  _id: string;
  connectionId: string;
  module: string;
  /** `date_from` of the next incremental crawl is this minus the overlap. */
  watermark?: Date;
  /** Start of the last complete full crawl; absent until the first one completes. */
  lastFullAt?: Date;
  lastRunAt?: Date;
  lastSuccessAt?: Date;
  lastSummary?: PullRunSummary;
  lastError?: { at: Date; message: string };
  /** Consecutive failed runs, for the backoff. */
  failures: number;
  /** When the scheduler runs it next (interval, or backoff after a failure). */
  nextRunAt: Date;
  /** An operator (or the gateway) asked for a sync now; cleared by the next run that started after it. */
  requestedAt?: Date;
  /** A full crawl was asked for; cleared only by a complete full crawl that started after it. */
  fullRequestedAt?: Date;
  /** The dispatcher instance running it, until `leaseUntil`; a crashed instance's lease simply expires. */
  leaseOwner?: string;
  leaseUntil: Date;
  /** Changes with every acquisition: the generation a contender claims in `pull_lease_claims`. */
  leaseGeneration?: string;
  createdAt: Date;
  updatedAt: Date;
}

const NO_LEASE = new Date(0);
/** Claims only matter while contenders race (milliseconds); a day keeps the collection small. */
const CLAIM_RETENTION_MS = 86_400_000;

/** One lease generation taken by one instance; the unique `_id` is what settles a race. */
interface LeaseClaim {
  _id: string;
  stateId: string;
  owner: string;
  at: Date;
}

export const pullStateId = (connectionId: string, module: string): string => `${connectionId}:${module}`;

/**
 * The `pull_state` collection of the gateway database (plus `pull_lease_claims`, see acquire).
 * Only the lease holder writes a document's sync fields; the gateway only sets `requestedAt`.
 */
export class PullStateStore {
  private readonly collection: Collection<PullState>;
  private readonly claims: Collection<LeaseClaim>;

  constructor(db: Db) {
    this.collection = db.collection<PullState>('pull_state');
    this.claims = db.collection<LeaseClaim>('pull_lease_claims');
  }

  async list(): Promise<PullState[]> {
    return mongoCall('list pull state', () => this.collection.find({}).toArray());
  }

  async get(connectionId: string, module: string): Promise<PullState | undefined> {
    return (await mongoCall('get pull state', () => this.collection.findOne({ _id: pullStateId(connectionId, module) }))) ?? undefined;
  }

  /** Creates the document of a new (connection, module), due at once; an existing one is untouched. */
  async ensure(connectionId: string, module: string, now: Date): Promise<void> {
    try {
      await mongoCall('create pull state', () =>
        this.collection.updateOne({ _id: pullStateId(connectionId, module) }, { $setOnInsert: initialFields(connectionId, module, now) }, { upsert: true }),
      );
    } catch (error) {
      // Two dispatchers creating the same document at once: the other one won, which is fine.
      if (!isDuplicateKeyError(error instanceof Error ? error.cause : undefined)) throw error;
    }
  }

  /** Marks a sync as asked for; the dispatcher that next polls picks it up. */
  async request(connectionId: string, module: string, full: boolean, now: Date): Promise<void> {
    const defaults = insertOnlyFields(connectionId, module, now);
    try {
      await mongoCall('request pull sync', () =>
        this.collection.updateOne(
          { _id: pullStateId(connectionId, module) },
          { $set: { requestedAt: now, updatedAt: now, ...(full ? { fullRequestedAt: now } : {}) }, $setOnInsert: defaults },
          { upsert: true },
        ),
      );
    } catch (error) {
      if (!isDuplicateKeyError(error instanceof Error ? error.cause : undefined)) throw error;
      await this.request(connectionId, module, full, now);
    }
  }

  /**
   * Takes the lease if nobody holds a live one. Returns the state as it was before, or undefined
   * when another instance runs it.
   *
   * On MongoDB the conditional update alone decides. FerretDB 1.24 (SQLite) applies conditional
   * updates as read-then-write without isolation, so racing instances can all "win" it; an insert
   * with a unique `_id` is atomic there, so the generation they saw is claimed exactly once and
   * the claim's winner then writes its ownership again over whatever a loser wrote.
   */
  async acquire(connectionId: string, module: string, owner: string, now: Date, leaseMs: number): Promise<PullState | undefined> {
    const id = pullStateId(connectionId, module);
    const lease = { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs), leaseGeneration: randomUUID() };
    const before = await mongoCall('acquire pull lease', () =>
      this.collection.findOneAndUpdate({ _id: id, leaseUntil: { $lte: now } }, { $set: { ...lease, lastRunAt: now, updatedAt: now } }, { returnDocument: 'before' }),
    );
    if (!before) return undefined;
    try {
      await mongoCall('claim pull lease', () => this.claims.insertOne({ _id: `${id}@${before.leaseGeneration ?? 'first'}`, stateId: id, owner, at: now }));
    } catch (error) {
      if (isDuplicateKeyError(error instanceof Error ? error.cause : undefined)) return undefined;
      throw error;
    }
    await mongoCall('confirm pull lease', () => this.collection.updateOne({ _id: id }, { $set: lease }));
    return before;
  }

  /** Extends a held lease; false when it was lost (expired and taken by another instance). */
  async renew(connectionId: string, module: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    const result = await mongoCall('renew pull lease', () =>
      this.collection.updateOne(
        { _id: pullStateId(connectionId, module), leaseOwner: owner },
        { $set: { leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now } },
      ),
    );
    return result.matchedCount === 1;
  }

  /** Records a complete crawl and releases the lease; false when the lease was lost meanwhile. */
  async succeeded(
    connectionId: string,
    module: string,
    owner: string,
    outcome: { summary: PullRunSummary; watermark?: Date; nextRunAt: Date },
  ): Promise<boolean> {
    const { summary } = outcome;
    const id = pullStateId(connectionId, module);
    const result = await mongoCall('record pull success', () =>
      this.collection.updateOne(
        { _id: id, leaseOwner: owner },
        {
          $set: {
            lastSummary: summary,
            lastSuccessAt: summary.finishedAt,
            nextRunAt: outcome.nextRunAt,
            failures: 0,
            leaseUntil: NO_LEASE,
            updatedAt: summary.finishedAt,
            ...(outcome.watermark ? { watermark: outcome.watermark } : {}),
            ...(summary.mode === 'full' ? { lastFullAt: summary.startedAt } : {}),
          },
          $unset: { leaseOwner: '', lastError: '' },
        },
      ),
    );
    if (result.matchedCount !== 1) return false;
    await this.clearRequests(id, summary.startedAt, summary.mode === 'full');
    const expired = new Date(summary.finishedAt.getTime() - CLAIM_RETENTION_MS);
    await mongoCall('prune pull lease claims', () => this.claims.deleteMany({ stateId: id, at: { $lt: expired } }));
    return true;
  }

  /** Records a failed or incomplete run and releases the lease; the next try waits `nextRunAt`. */
  async failed(connectionId: string, module: string, owner: string, outcome: { at: Date; startedAt: Date; message: string; nextRunAt: Date }): Promise<boolean> {
    const id = pullStateId(connectionId, module);
    const result = await mongoCall('record pull failure', () =>
      this.collection.updateOne(
        { _id: id, leaseOwner: owner },
        {
          $set: { lastError: { at: outcome.at, message: outcome.message.slice(0, 1000) }, nextRunAt: outcome.nextRunAt, leaseUntil: NO_LEASE, updatedAt: outcome.at },
          $inc: { failures: 1 },
          $unset: { leaseOwner: '' },
        },
      ),
    );
    if (result.matchedCount !== 1) return false;
    // The request was served (it failed); a full one stays until a full crawl completes.
    await this.clearRequests(id, outcome.startedAt, false);
    return true;
  }

  /** Gives the lease back without counting a failure (shutdown): another instance may run it at once. */
  async release(connectionId: string, module: string, owner: string, now: Date): Promise<void> {
    await mongoCall('release pull lease', () =>
      this.collection.updateOne({ _id: pullStateId(connectionId, module), leaseOwner: owner }, { $set: { leaseUntil: NO_LEASE, updatedAt: now }, $unset: { leaseOwner: '' } }),
    );
  }

  /** Clears only requests made before the run started: one made during it gets its own run. */
  private async clearRequests(id: string, startedAt: Date, fullServed: boolean): Promise<void> {
    await mongoCall('clear pull request', () => this.collection.updateOne({ _id: id, requestedAt: { $lte: startedAt } }, { $unset: { requestedAt: '' } }));
    if (fullServed) {
      await mongoCall('clear full pull request', () => this.collection.updateOne({ _id: id, fullRequestedAt: { $lte: startedAt } }, { $unset: { fullRequestedAt: '' } }));
    }
  }
}

/** A new document's fields that a request's `$set` does not also write. */
function insertOnlyFields(connectionId: string, module: string, now: Date) {
  return { connectionId, module, failures: 0, nextRunAt: now, leaseUntil: NO_LEASE, createdAt: now };
}

function initialFields(connectionId: string, module: string, now: Date) {
  return { ...insertOnlyFields(connectionId, module, now), updatedAt: now };
}
