import { randomBytes } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import { internal, unavailable } from '@voltmesh/errors';
import { insertIfAbsent, mongoCall } from '@voltmesh/mongo';
import type { ChargingPeriod } from '@voltmesh/ocpi';
import { partyKey, type Party } from '../domain/command.js';
import type { CommandClaim, SessionRecord, SessionRole, SessionStatus } from '../domain/session.js';
import type { PeriodChunkCache } from './period-cache.js';

/**
 * How sessions are laid out, from measurements on FerretDB 1.24/SQLite
 * (test/period-storage.measure.ts, median ms per update / per read of one session):
 *
 *   periods | whole document, BSON | chunks of 50, BSON | whole document, JSON text | chunks of 100, JSON text
 *     100   |     40 / 44          |    15 / 44         |      7 / 3                |     4 / 15
 *   1,000   |    700 / 526         |    42 / 1,450      |     48 / 20               |     7 / 66
 *   2,000   |    820 / 480         |    24 / 2,400      |     64 / 28               |   7–18 / 236
 *
 * FerretDB converts nested documents slowly, and a session rewritten whole on every update costs
 * in proportion to its periods. So: the nested parts (record, periods) are stored as JSON text,
 * and the periods in immutable chunks of CHUNK_SIZE written once each, the head document holding
 * only the periods after the last full chunk. A live update writes a head of at most 99 periods
 * whatever the session's length, and reads no chunk: sealed chunks are cached in memory (a
 * chunk never changes, so the cache is never stale); reading a session cold (another replica's,
 * after a restart) costs one `_id` lookup per chunk.
 */
export const CHUNK_SIZE = 100;

/** A sealed chunk as the head lists it: its id, size and first and last start (to find a start without reading it). */
interface ChunkRef {
  id: string;
  count: number;
  first: string;
  last: string;
}

/**
 * One document per session (`_id` = `CC*PID*ID` of the CPO): the record, the periods after the
 * last sealed chunk (`tail_json`) and the list of sealed chunks, so one compare-and-set on `rev`
 * changes a session atomically. The fields ListSessions and WatchSessions filter on are copied
 * beside the JSON. A document without a record is a claim only: a partner's START_SESSION our
 * charger accepted before the CSMS reported the session.
 */
interface SessionDocument {
  _id: string;
  rev: number;
  saved_at: Date;
  // Copies for filters; null on a claim-only document.
  role: SessionRole | null;
  cpo_party: string;
  emsp_party: string | null;
  contract_id: string | null;
  connection_id: string | null;
  last_updated: string | null;
  status: SessionStatus | null;
  /** SessionRecord, JSON; null on a claim. */
  record_json: string | null;
  /** CommandClaim, JSON; null without a claim. */
  claim_json: string | null;
  /** ChunkRef[], JSON. */
  chunks_json: string;
  /** ChargingPeriod[], JSON: the periods after the last sealed chunk (fewer than CHUNK_SIZE). */
  tail_json: string;
}

/** The minimal record of the commands-only service (before issue 5): read as a claim. */
interface LegacyDocument {
  _id: string;
  session: { id: string; cpo: Party; emsp: Party; connectionId: string; commandId: string; startedAt: string };
}

/** Immutable: written once, before the head that lists it; never changed, dropped when a PUT replaces the periods. */
interface ChunkDocument {
  _id: string;
  session: string;
  /** ChargingPeriod[], JSON. */
  periods_json: string;
}

export interface StoredSession {
  key: string;
  /** 0: a legacy document without revision. */
  rev: number;
  savedAt: Date;
  record: SessionRecord | undefined;
  claim: CommandClaim | undefined;
  chunks: readonly ChunkRef[];
  tail: readonly ChargingPeriod[];
}

/** How a save changes the periods: append at the end, or replace them all (a partner's PUT). */
export type PeriodEdit = { append: readonly ChargingPeriod[] } | { replace: readonly ChargingPeriod[] };

export interface SessionListFilter {
  roles: readonly SessionRole[];
  cpo?: Party | undefined;
  emsp?: Party | undefined;
  contractId?: string | undefined;
  connectionId?: string | undefined;
  statuses?: readonly SessionStatus[] | undefined;
  /** OCPI DateTimes (our emitted form), compared with the stored last_updated. */
  dateFrom?: string | undefined;
  dateTo?: string | undefined;
}

/** The sessions and session_periods collections, read by `_id` except for lists. Driver errors end here (mongoCall). */
export class SessionStore {
  private readonly heads: Collection<SessionDocument>;
  private readonly chunkDocs: Collection<ChunkDocument>;

  constructor(
    db: Db,
    private readonly cache: PeriodChunkCache,
  ) {
    this.heads = db.collection<SessionDocument>('sessions');
    this.chunkDocs = db.collection<ChunkDocument>('session_periods');
  }

  /** For MongoDB in production; FerretDB serves only `_id` from an index and scans for the rest. */
  async ensureIndexes(): Promise<void> {
    await mongoCall('create session indexes', async () => {
      await this.heads.createIndex({ last_updated: 1, _id: 1 });
      await this.heads.createIndex({ contract_id: 1, last_updated: 1 });
    });
  }

  async get(key: string): Promise<StoredSession | undefined> {
    const document = await mongoCall('get session', () => this.heads.findOne({ _id: key }));
    return document ? fromDocument(document) : undefined;
  }

  /** The periods from `index` on: only the chunks that hold them are read (and those mostly from the cache). */
  async periodsFrom(stored: StoredSession, index: number): Promise<ChargingPeriod[]> {
    let offset = 0;
    let skip = 0;
    const needed: ChunkRef[] = [];
    for (const chunk of stored.chunks) {
      if (offset + chunk.count > index) {
        if (needed.length === 0) skip = Math.max(0, index - offset);
        needed.push(chunk);
      }
      offset += chunk.count;
    }
    if (needed.length === 0) return stored.tail.slice(Math.max(0, index - offset));
    const loaded = await this.loadChunks(stored.key, needed);
    return [...loaded.flat().slice(skip), ...stored.tail];
  }

  /** The stored periods starting at or after `start`. */
  async periodsSince(stored: StoredSession, start: string): Promise<ChargingPeriod[]> {
    const needed = stored.chunks.filter((chunk) => chunk.last >= start);
    const loaded = await this.loadChunks(stored.key, needed);
    return [...loaded.flat(), ...stored.tail].filter((period) => period.start_date_time >= start);
  }

  /**
   * Saves the next state if nobody wrote since `expected` was read (its rev), or inserts when
   * `expected` is undefined. Periods that fill a chunk are sealed into chunk documents first
   * (new ids each time, so a writer that loses the race leaves only unreferenced chunks, which
   * it removes). Undefined when another writer won: the caller re-reads and re-applies.
   */
  async save(key: string, next: { record: SessionRecord | undefined; claim: CommandClaim | undefined }, edit: PeriodEdit | undefined, expected: StoredSession | undefined): Promise<StoredSession | undefined> {
    let chunks = [...(expected?.chunks ?? [])];
    let tail = [...(expected?.tail ?? [])];
    let dropped: ChunkRef[] = [];
    if (edit && 'replace' in edit) {
      dropped = chunks;
      chunks = [];
      tail = [...edit.replace];
    } else if (edit) {
      tail.push(...edit.append);
    }
    const sealed: ChunkDocument[] = [];
    while (tail.length >= CHUNK_SIZE) {
      const periods = tail.slice(0, CHUNK_SIZE);
      tail = tail.slice(CHUNK_SIZE);
      const id = `${key}#${chunks.length}#${randomBytes(4).toString('hex')}`;
      sealed.push({ _id: id, session: key, periods_json: JSON.stringify(periods) });
      chunks.push({ id, count: periods.length, first: periods[0]?.start_date_time ?? '', last: periods.at(-1)?.start_date_time ?? '' });
    }
    const record = next.record;
    const count = chunks.reduce((sum, chunk) => sum + chunk.count, 0) + tail.length;
    if (record && record.periodCount !== count) throw internal(`session ${key}: the record counts ${record.periodCount} periods, the store would hold ${count}`);

    if (sealed.length > 0) await mongoCall('seal session periods', () => this.chunkDocs.insertMany(sealed, { ordered: true }));
    const document: SessionDocument = {
      _id: key,
      rev: (expected?.rev ?? 0) + 1,
      saved_at: new Date(),
      role: record?.role ?? null,
      cpo_party: key.split('*').slice(0, 2).join('*'),
      emsp_party: record ? partyKey(record.emsp) : null,
      contract_id: record?.contractId ?? null,
      connection_id: record?.connectionId ?? null,
      last_updated: record?.ocpi.last_updated ?? null,
      status: record?.ocpi.status ?? null,
      record_json: record ? JSON.stringify(record) : null,
      claim_json: next.claim ? JSON.stringify(next.claim) : null,
      chunks_json: JSON.stringify(chunks),
      tail_json: JSON.stringify(tail),
    };
    const written = await this.writeHead(document, expected);
    if (!written) {
      await this.dropChunks(sealed.map((chunk) => chunk._id));
      return undefined;
    }
    // As a reader would get them back (JSON: no undefined fields).
    for (const chunk of sealed) this.cache.put(chunk._id, JSON.parse(chunk.periods_json) as ChargingPeriod[]);
    // The replaced periods: no head lists them any more (a reader of the previous state that
    // still wants them gets UNAVAILABLE and reads again).
    if (dropped.length > 0) await this.dropChunks(dropped.map((chunk) => chunk.id));
    return fromDocument(document);
  }

  /** One page of sessions (claims excluded) ordered by OCPI last_updated then key, and the total. */
  async list(filter: SessionListFilter, offset: number, limit: number, order: 1 | -1 = 1): Promise<{ items: StoredSession[]; total: number }> {
    const query = toQuery(filter);
    const [documents, total] = await Promise.all([
      mongoCall('list sessions', () => this.heads.find(query).sort({ last_updated: order, _id: order }).skip(offset).limit(limit).toArray()),
      mongoCall('count sessions', () => this.heads.countDocuments(query)),
    ]);
    return { items: documents.map(fromDocument), total };
  }

  private async writeHead(document: SessionDocument, expected: StoredSession | undefined): Promise<boolean> {
    if (!expected) return insertIfAbsent(this.heads, document, 'session');
    const filter: Filter<SessionDocument> = expected.rev === 0 ? { _id: document._id, rev: { $exists: false } } : { _id: document._id, rev: expected.rev };
    const result = await mongoCall('update session', () => this.heads.replaceOne(filter, document));
    return result.matchedCount === 1;
  }

  private async loadChunks(key: string, refs: readonly ChunkRef[]): Promise<(readonly ChargingPeriod[])[]> {
    // One `_id` lookup each: FerretDB serves `_id` equality from its index, not `$in`.
    return Promise.all(
      refs.map(async (ref) => {
        const cached = this.cache.get(ref.id);
        if (cached) return cached;
        const chunk = await mongoCall('read session periods', () => this.chunkDocs.findOne({ _id: ref.id }));
        if (!chunk) throw unavailable(`session ${key} changed while it was read (chunk ${ref.id} is gone): read it again`);
        const periods = JSON.parse(chunk.periods_json) as ChargingPeriod[];
        this.cache.put(chunk._id, periods);
        return periods;
      }),
    );
  }

  private async dropChunks(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) this.cache.delete(id);
    // Best effort: an unreferenced chunk is never read, only takes space.
    await mongoCall('drop session periods', () => this.chunkDocs.deleteMany({ _id: { $in: [...ids] } })).catch(() => undefined);
  }
}

function toQuery(filter: SessionListFilter): Filter<SessionDocument> {
  const query: Filter<SessionDocument> = { role: { $in: [...filter.roles] } };
  if (filter.cpo) query.cpo_party = partyKey(filter.cpo);
  if (filter.emsp) query.emsp_party = partyKey(filter.emsp);
  if (filter.contractId) query.contract_id = filter.contractId.toUpperCase();
  if (filter.connectionId) query.connection_id = filter.connectionId;
  if (filter.statuses) query.status = { $in: [...filter.statuses] };
  if (filter.dateFrom || filter.dateTo) {
    query.last_updated = { ...(filter.dateFrom ? { $gte: filter.dateFrom } : {}), ...(filter.dateTo ? { $lt: filter.dateTo } : {}) };
  }
  return query;
}

function fromDocument(document: SessionDocument | LegacyDocument): StoredSession {
  if (!('rev' in document) || typeof document.rev !== 'number') {
    const legacy = (document as LegacyDocument).session;
    return {
      key: document._id,
      rev: 0,
      savedAt: new Date(0),
      record: undefined,
      claim: { commandId: legacy.commandId, emsp: legacy.emsp, connectionId: legacy.connectionId, claimedAt: legacy.startedAt },
      chunks: [],
      tail: [],
    };
  }
  const current = document as SessionDocument;
  return {
    key: current._id,
    rev: current.rev,
    savedAt: current.saved_at,
    record: current.record_json ? (JSON.parse(current.record_json) as SessionRecord) : undefined,
    claim: current.claim_json ? (JSON.parse(current.claim_json) as CommandClaim) : undefined,
    chunks: JSON.parse(current.chunks_json) as ChunkRef[],
    tail: JSON.parse(current.tail_json) as ChargingPeriod[],
  };
}
