import { setTimeout as delay } from 'node:timers/promises';
import { context, propagation } from '@opentelemetry/api';
import { MongoServerError, type Collection, type Db, type Filter, type UpdateFilter } from 'mongodb';
import { invalidArgument, unavailable } from '@voltmesh/errors';
import { isDuplicateKeyError, KeyedLock, mongoCall } from '@voltmesh/mongo';
import { InFlightLimit } from './in-flight-limit.js';
import type { EnqueueResult, PartnerBacklog, PushJob, PushMethod } from './push-job.js';
import type { ClaimedPush, DueObject, PartnerPushState, PushOutbox, Settlement } from './push-outbox.js';
import { isValidPushVersion } from './version.js';

const NOT_LEASED = new Date(0);
const BUSY_ATTEMPTS = 8;

interface PendingPush {
  version: string;
  method: PushMethod;
  url: string;
  /** The body as JSON text: sent byte for byte as enqueued, and free of Mongo's key rules. */
  /** Absent for a request without a body (DELETE). */
  bodyJson?: string;
  /** Absent for partners without routing headers (OCPI 2.1.1). */
  routing?: PushJob['routing'] | null;
  correlationId: string;
  appendList?: string;
  enqueuedAt: Date;
  /** W3C trace context of the enqueuing change (see PushJob.trace). */
  trace?: Record<string, string>;
}

interface PushOutboxDocument {
  /** `<partnerId>|<objectKey>` */
  _id: string;
  partnerId: string;
  objectKey: string;
  /** Newest version ever accepted for this object (pending, delivered or rejected): the staleness guard. */
  maxVersion: string;
  pending?: PendingPush;
  /** Present exactly while a state is pending; the worker's queue order. */
  dueAt?: Date;
  /** When the object last went from delivered to undelivered: newer states do not move it (the backlog's age). */
  pendingSince?: Date;
  attempts: number;
  leaseUntil: Date;
  leaseToken?: string;
  /** `listLength`: for an appendList job, the list's length in the delivered state (what the partner holds). */
  delivered?: { version: string; at: Date; requestId: string; httpStatus: number; statusCode?: number; note?: string; listLength?: number };
  /** The dead letter: the last state the partner refused for good, with its answer. */
  rejected?: { version: string; at: Date; requestId: string; httpStatus?: number; statusCode?: number; message: string };
  lastError?: { version: string; at: Date; message: string };
  updatedAt: Date;
}

interface PartnerStateDocument {
  _id: string;
  failures: number;
  pausedUntil: Date;
  lastError?: string;
  updatedAt: Date;
}

/**
 * Collections `push_outbox` and `push_partners` in the gateway's database.
 *
 * On MongoDB every write is one atomic conditional single-document update. FerretDB 1.24 on
 * SQLite evaluates an update's filter and writes the document back without isolation, so two
 * concurrent writes to one document can both pass their condition and the last one wins (our
 * test saw an older version overwrite a newer one). Writes to one record are therefore also
 * serialized within this process: exact on FerretDB for one dispatcher instance, and costless
 * on MongoDB, where several instances may share the outbox.
 */
export class MongoPushOutbox implements PushOutbox {
  private readonly outbox: Collection<PushOutboxDocument>;
  private readonly partners: Collection<PartnerStateDocument>;
  private readonly records = new KeyedLock();
  private readonly partnerRecords = new KeyedLock();
  private readonly storage: InFlightLimit;

  /**
   * `maxConcurrentOps` bounds this outbox's operations in flight: FerretDB on SQLite has one
   * writer and gets slower, not faster, when many wait on its lock.
   */
  constructor(db: Db, options: { maxConcurrentOps?: number } = {}) {
    this.outbox = db.collection<PushOutboxDocument>('push_outbox');
    this.partners = db.collection<PartnerStateDocument>('push_partners');
    this.storage = new InFlightLimit(options.maxConcurrentOps ?? 8);
  }

  private async op<T>(what: string, call: () => Promise<T>): Promise<T> {
    await this.storage.acquire();
    try {
      return await storageCall(what, call);
    } finally {
      this.storage.release();
    }
  }

  async ensureIndexes(): Promise<void> {
    // For the periodic poll and the backlog on MongoDB (FerretDB scans regardless); every
    // per-delivery operation goes by _id.
    await this.op('createIndex', () => this.outbox.createIndex({ dueAt: 1 }, { name: 'due' }));
  }

  async enqueue(job: PushJob, now: Date): Promise<EnqueueResult> {
    if (job.partnerId.includes('|')) throw invalidArgument(`push partner id "${job.partnerId}" must not contain "|"`);
    if (!isValidPushVersion(job.version)) throw invalidArgument(`push version "${job.version}" must be 1-200 printable ASCII characters`);
    const id = recordId(job);
    // Only a strictly newer version replaces what is pending; an older or equal one matches
    // nothing, so the upsert tries to insert the existing _id and fails as a duplicate: stale.
    const filter: Filter<PushOutboxDocument> = { _id: id, maxVersion: { $lt: job.version } };
    const trace: Record<string, string> = {};
    propagation.inject(context.active(), trace);
    const pending: PendingPush = {
      version: job.version,
      method: job.method,
      url: job.url,
      ...(job.body !== undefined ? { bodyJson: JSON.stringify(job.body) } : {}),
      ...(job.routing ? { routing: job.routing } : {}),
      correlationId: job.correlationId,
      ...(job.appendList !== undefined ? { appendList: job.appendList } : {}),
      enqueuedAt: now,
      ...(Object.keys(trace).length > 0 ? { trace } : {}),
    };
    const update: UpdateFilter<PushOutboxDocument> = {
      $set: { pending, maxVersion: job.version, attempts: 0, updatedAt: now },
      // Replacing a pending state keeps its place in the queue: a hot object is not starved.
      $min: { dueAt: now, pendingSince: now },
    };
    return this.records.run(id, async () => {
      try {
        await this.op('enqueue push', () =>
          this.outbox.updateOne(filter, { ...update, $setOnInsert: { partnerId: job.partnerId, objectKey: job.objectKey, leaseUntil: NOT_LEASED } }, { upsert: true }),
        );
        return 'queued';
      } catch (error) {
        if (!isDuplicateKeyError(errorCause(error))) throw error;
      }
      // The record exists: either our version is stale, or a concurrent first enqueue (another
      // instance) inserted it between our match and our insert. Without the upsert the answer is unambiguous.
      const retried = await this.op('enqueue push', () => this.outbox.updateOne(filter, update));
      return retried.matchedCount === 1 ? 'queued' : 'stale';
    });
  }

  async hasPending(partnerId: string, objectKey: string): Promise<boolean> {
    const document = await this.op('read push', () => this.outbox.findOne({ _id: recordId({ partnerId, objectKey }) }, { projection: { pending: 1 } }));
    return document?.pending !== undefined && document.pending !== null;
  }

  async claim(partnerId: string, objectKey: string, now: Date, leaseUntil: Date, leaseToken: string): Promise<ClaimedPush | undefined> {
    const id = recordId({ partnerId, objectKey });
    const claimed = await this.records.run(id, () =>
      this.op('claim push', () =>
        this.outbox.findOneAndUpdate(
          { _id: id, dueAt: { $lte: now }, leaseUntil: { $lt: now } },
          { $set: { leaseUntil, leaseToken }, $inc: { attempts: 1 } },
          { returnDocument: 'after' },
        ),
      ),
    );
    return claimed?.pending ? toClaim(claimed, claimed.pending, leaseToken) : undefined;
  }

  async settle(claim: ClaimedPush, settlement: Settlement, now: Date): Promise<'settled' | 'newer-pending' | 'lost'> {
    const { job } = claim;
    const listLength = appendedListLength(job);
    const record =
      settlement.kind === 'delivered'
        ? { delivered: { version: job.version, at: now, ...withoutKind(settlement), ...(listLength !== undefined ? { listLength } : {}) } }
        : { rejected: { version: job.version, at: now, ...withoutKind(settlement) } };
    const clearOnDelivery: Record<string, ''> = settlement.kind === 'delivered' ? { rejected: '', lastError: '' } : { lastError: '' };
    const id = recordId(job);
    return this.records.run(id, async () => {
      // Compare-and-set on the version: the pending state is cleared only if it is still the one we sent.
      const cleared = await this.op('settle push', () =>
        this.outbox.updateOne(
          { _id: id, leaseToken: claim.leaseToken, 'pending.version': job.version },
          {
            $set: { ...record, leaseUntil: NOT_LEASED, attempts: 0, updatedAt: now },
            $unset: { pending: '', dueAt: '', pendingSince: '', leaseToken: '', ...clearOnDelivery },
          },
        ),
      );
      if (cleared.matchedCount === 1) return 'settled';
      // A newer state arrived while the call was in flight: record the verdict, keep it pending.
      const kept = await this.op('settle push', () =>
        this.outbox.updateOne(
          { _id: id, leaseToken: claim.leaseToken },
          { $set: { ...record, leaseUntil: NOT_LEASED, updatedAt: now }, $unset: { leaseToken: '', ...clearOnDelivery } },
        ),
      );
      return kept.matchedCount === 1 ? 'newer-pending' : 'lost';
    });
  }

  async retryLater(claim: ClaimedPush, dueAt: Date, message: string, now: Date): Promise<boolean> {
    const { job } = claim;
    const id = recordId(job);
    const result = await this.records.run(id, () =>
      this.op('reschedule push', () =>
        this.outbox.updateOne(
          { _id: id, leaseToken: claim.leaseToken },
          {
            $set: { dueAt, leaseUntil: NOT_LEASED, lastError: { version: job.version, at: now, message }, updatedAt: now },
            $unset: { leaseToken: '' },
          },
        ),
      ),
    );
    return result.matchedCount === 1;
  }

  async release(claim: ClaimedPush): Promise<void> {
    const id = recordId(claim.job);
    await this.records.run(id, () =>
      this.op('release push', () =>
        this.outbox.updateOne({ _id: id, leaseToken: claim.leaseToken }, { $set: { leaseUntil: NOT_LEASED }, $unset: { leaseToken: '' }, $inc: { attempts: -1 } }),
      ),
    );
  }

  async dueObjects(now: Date, limit: number): Promise<DueObject[]> {
    const documents = await this.op('find due pushes', () =>
      this.outbox
        .find({ dueAt: { $lte: now }, leaseUntil: { $lt: now } }, { sort: { dueAt: 1 }, limit, projection: { partnerId: 1, objectKey: 1, dueAt: 1 } })
        .toArray(),
    );
    return documents.flatMap((document) => (document.dueAt ? [{ partnerId: document.partnerId, objectKey: document.objectKey, dueAt: document.dueAt }] : []));
  }

  async backlog(): Promise<PartnerBacklog[]> {
    // Grouped here, not with $group: FerretDB 1.24 has no $min accumulator. Only pending
    // records are read, two small fields each.
    const pending = await this.op('count pushes', () =>
      this.outbox.find({ dueAt: { $exists: true } }, { projection: { _id: 0, partnerId: 1, pendingSince: 1 } }).toArray(),
    );
    const byPartner = new Map<string, PartnerBacklog>();
    for (const { partnerId, pendingSince } of pending) {
      const entry = byPartner.get(partnerId) ?? { partnerId, pending: 0 };
      entry.pending += 1;
      if (pendingSince && (!entry.oldestSince || pendingSince < entry.oldestSince)) entry.oldestSince = pendingSince;
      byPartner.set(partnerId, entry);
    }
    return [...byPartner.values()].sort((a, b) => a.partnerId.localeCompare(b.partnerId));
  }

  async partnerState(partnerId: string): Promise<PartnerPushState | undefined> {
    const document = await this.op('read push partner', () => this.partners.findOne({ _id: partnerId }));
    if (!document) return undefined;
    return { failures: document.failures, pausedUntil: document.pausedUntil, ...(document.lastError ? { lastError: document.lastError } : {}) };
  }

  async savePartnerState(partnerId: string, state: PartnerPushState): Promise<void> {
    const updatedAt = new Date();
    const update: UpdateFilter<PartnerStateDocument> =
      state.lastError === undefined
        ? { $set: { failures: state.failures, pausedUntil: state.pausedUntil, updatedAt }, $unset: { lastError: '' } }
        : { $set: { failures: state.failures, pausedUntil: state.pausedUntil, lastError: state.lastError, updatedAt } };
    await this.partnerRecords.run(partnerId, async () => {
      try {
        await this.op('save push partner', () => this.partners.updateOne({ _id: partnerId }, update, { upsert: true }));
      } catch (error) {
        // Another instance created it first: now it exists, and the plain update applies.
        if (!isDuplicateKeyError(errorCause(error))) throw error;
        await this.op('save push partner', () => this.partners.updateOne({ _id: partnerId }, update));
      }
    });
  }

  /** Drops everything of a partner, e.g. when its connection is unregistered. Returns the objects dropped. */
  async forgetPartner(partnerId: string): Promise<number> {
    const result = await this.op('forget push partner', () => this.outbox.deleteMany({ partnerId }));
    await this.op('forget push partner', () => this.partners.deleteOne({ _id: partnerId }));
    return result.deletedCount;
  }

  /** Dead letters: states partners refused for good, newest first. */
  async rejected(partnerId: string, limit = 100): Promise<Array<{ objectKey: string } & NonNullable<PushOutboxDocument['rejected']>>> {
    const documents = await this.op('list rejected pushes', () =>
      this.outbox.find({ partnerId, rejected: { $exists: true } }).sort({ 'rejected.at': -1 }).limit(limit).toArray(),
    );
    return documents.flatMap((document) => (document.rejected ? [{ objectKey: document.objectKey, ...document.rejected }] : []));
  }

  /** The delivery record of one object, for tests and support. */
  async get(partnerId: string, objectKey: string): Promise<PushOutboxDocument | undefined> {
    return (await this.op('read push', () => this.outbox.findOne({ _id: recordId({ partnerId, objectKey }) }))) ?? undefined;
  }
}

const recordId = (job: Pick<PushJob, 'partnerId' | 'objectKey'>): string => `${job.partnerId}|${job.objectKey}`;

/** The length of an appendList job's list in its body; undefined for other jobs. */
function appendedListLength(job: PushJob): number | undefined {
  if (job.appendList === undefined || typeof job.body !== 'object' || job.body === null) return undefined;
  const list: unknown = (job.body as Record<string, unknown>)[job.appendList];
  return Array.isArray(list) ? list.length : 0;
}

function toClaim(document: PushOutboxDocument, pending: PendingPush, leaseToken: string): ClaimedPush {
  const deliveredListLength = pending.appendList !== undefined ? document.delivered?.listLength : undefined;
  return {
    leaseToken,
    attempts: document.attempts,
    ...(deliveredListLength !== undefined ? { deliveredListLength } : {}),
    job: {
      partnerId: document.partnerId,
      objectKey: document.objectKey,
      version: pending.version,
      method: pending.method,
      url: pending.url,
      body: pending.bodyJson === undefined ? undefined : (JSON.parse(pending.bodyJson) as unknown),
      ...(pending.routing ? { routing: pending.routing } : {}),
      correlationId: pending.correlationId,
      ...(pending.appendList !== undefined ? { appendList: pending.appendList } : {}),
      ...(pending.trace ? { trace: pending.trace } : {}),
    },
  };
}

/**
 * mongoCall, plus FerretDB-on-SQLite's "database is locked" (SQLITE_BUSY under concurrent
 * writes, never seen on MongoDB): retried briefly, then a retryable UNAVAILABLE.
 */
async function storageCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await mongoCall(what, call);
    } catch (error) {
      const cause = errorCause(error);
      const busy = cause instanceof MongoServerError && /SQLITE_BUSY|database is locked/.test(cause.message);
      if (!busy) throw error;
      if (attempt >= BUSY_ATTEMPTS) throw unavailable(`mongo ${what} failed: storage busy`, cause);
      await delay(Math.random() * 10 * attempt);
    }
  }
}

/** The settlement without its kind and without undefined fields (the driver would store them as null). */
function withoutKind<T extends { kind: string }>(value: T): Omit<T, 'kind'> {
  return Object.fromEntries(Object.entries(value).filter(([name, field]) => name !== 'kind' && field !== undefined)) as Omit<T, 'kind'>;
}

/** mongoCall wraps driver errors in an AppError; the duplicate-key check needs the driver's. */
function errorCause(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}
