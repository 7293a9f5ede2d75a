import type { Collection, Db, Filter } from 'mongodb';
import { failedPrecondition, internal, isAppError } from '@voltmesh/errors';
import { endDateTimeOfJson, type CdrRecord, type CdrRole, type Party } from '../domain/cdr-record.js';
import { insertAbsent, storeCall } from './store-call.js';

/**
 * One document per CDR, `_id` = `CC*PID*ID`. Insert-only: a CDR is immutable, and FerretDB
 * (SQLite) serves only inserts and `_id` reads without scanning the collection (an update or a
 * delete by `_id` scans it), so nothing here ever updates a CDR.
 */
interface CdrDocument {
  _id: string;
  role: CdrRole;
  cpo_country_code: string;
  cpo_party_id: string;
  cdr_id: string;
  emsp_country_code: string;
  emsp_party_id: string;
  contract_id: string;
  session_id: string;
  currency: string;
  total_cost_excl_vat: string;
  total_cost_incl_vat: string;
  credit: boolean;
  credit_reference_id: string;
  connection_id: string;
  created_at: string;
  /** Absent on documents stored before finance periods needed it (then read from ocpi_json). */
  end_date_time?: string;
  pricing_json: string;
  ocpi_json: string;
}

/** A CDR whose CdrCreated may not be on Kafka yet: written before the CDR, removed once published. */
interface OutboxDocument {
  _id: string;
  saved_at: Date;
}

/** A CDR whose CdrCreated is on Kafka (insert-only, so a replayed write does not announce it twice). */
interface PublishedDocument {
  _id: string;
  published_at: Date;
}

/** A replica's claim to republish one CDR in one time slot (`_id` = `KEY@slot`): one replica wins the insert. */
interface ClaimDocument {
  _id: string;
  claimed_at: Date;
}

export interface CdrListFilter {
  role?: CdrRole;
  cpo?: Party;
  emsp?: Party;
  contractId?: string;
  connectionId?: string;
  /** created_at bounds, UTC ISO strings: from inclusive, to exclusive. */
  dateFrom?: string;
  dateTo?: string;
}

/** What finance reads of a stored CDR: all but our pricing, and the OCPI JSON only when asked for. */
export type CdrSummary = Omit<CdrRecord, 'pricing_json' | 'ocpi_json'> & { ocpi_json?: string };

export interface EndingInQuery {
  /** [start, end) on the CDR's end_date_time, `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  start: string;
  end: string;
  /** Only this driver contract (upper case). */
  contractId?: string;
  withOcpiJson: boolean;
  /** Documents per round trip (the cursor's batch size). */
  batchSize: number;
  /** More CDRs than this in the answer: FAILED_PRECONDITION (the caller asks for a shorter period). */
  max: number;
}

/** The cdrs collection and its publish bookkeeping (cdr_outbox, cdr_published). Driver errors end here. */
export class CdrStore {
  private readonly cdrs: Collection<CdrDocument>;
  private readonly outbox: Collection<OutboxDocument>;
  private readonly published: Collection<PublishedDocument>;
  private readonly claims: Collection<ClaimDocument>;

  constructor(db: Db) {
    this.cdrs = db.collection<CdrDocument>('cdrs');
    this.outbox = db.collection<OutboxDocument>('cdr_outbox');
    this.published = db.collection<PublishedDocument>('cdr_published');
    this.claims = db.collection<ClaimDocument>('cdr_republish_claims');
  }

  async ensureIndexes(): Promise<void> {
    await storeCall('create cdr indexes', async () => {
      await this.cdrs.createIndex({ created_at: 1, _id: 1 });
      // Finance periods: MongoDB serves them from it; FerretDB scans (see scanEndingIn) and pays
      // about 0.05 ms per insert to maintain it, so there is only this one.
      await this.cdrs.createIndex({ end_date_time: 1 });
      await this.outbox.createIndex({ saved_at: 1 });
    });
  }

  async get(key: string): Promise<CdrRecord | undefined> {
    const document = await storeCall('get cdr', () => this.cdrs.findOne({ _id: key }));
    return document ? fromDocument(document) : undefined;
  }

  /** Inserts the CDRs that do not exist yet; resolves with the keys this call inserted. */
  async insertNew(records: readonly CdrRecord[]): Promise<Set<string>> {
    return insertAbsent(this.cdrs, records.map(toDocument), 'cdrs');
  }

  /** Notes that these CDRs' events are to be published (before the CDRs are inserted). */
  async addToOutbox(keys: readonly string[], now: Date): Promise<void> {
    await insertAbsent(this.outbox, keys.map((_id) => ({ _id, saved_at: now })), 'cdr outbox entries');
  }

  /** Outbox entries older than `olderThan`: CDRs whose event may have been lost. */
  async listOutbox(olderThan: Date, limit: number): Promise<string[]> {
    const documents = await storeCall('list cdr outbox', () => this.outbox.find({ saved_at: { $lt: olderThan } }).sort({ saved_at: 1 }).limit(limit).toArray());
    return documents.map((document) => document._id);
  }

  async dropFromOutbox(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    // The outbox holds only unpublished CDRs, so this scan stays small.
    await storeCall('clear cdr outbox', () => this.outbox.deleteMany({ _id: { $in: [...keys] } }));
  }

  /** Records that these CDRs' events are on Kafka, then clears their outbox entries. */
  async markPublished(keys: readonly string[], now: Date): Promise<void> {
    await insertAbsent(this.published, keys.map((_id) => ({ _id, published_at: now })), 'cdr published markers');
    await this.dropFromOutbox(keys);
  }

  /**
   * Claims the republishing of these CDRs for a time slot; resolves with the keys this call won.
   * Replicas sweeping the same outbox then announce each lost CDR once (a claimer that dies
   * leaves it to the next slot).
   */
  async claimRepublish(keys: readonly string[], slot: number, now: Date): Promise<string[]> {
    const won = await insertAbsent(this.claims, keys.map((key) => ({ _id: `${key}@${slot}`, claimed_at: now })), 'republish claims');
    return keys.filter((key) => won.has(`${key}@${slot}`));
  }

  /** Drops claims older than `olderThan` (their CDRs are published, or left to a later slot). */
  async dropClaims(olderThan: Date): Promise<void> {
    await storeCall('drop republish claims', () => this.claims.deleteMany({ claimed_at: { $lt: olderThan } }));
  }

  async isPublished(key: string): Promise<boolean> {
    return (await storeCall('get cdr published marker', () => this.published.findOne({ _id: key }))) !== null;
  }

  /**
   * One page ordered by created_at then key, and the total. FerretDB serves only `_id` from an
   * index, so this is a scan of the collection (bounded by the page and the filter), acceptable
   * for finance and partner pulls; MongoDB uses the created_at index.
   */
  async list(filter: CdrListFilter, offset: number, limit: number): Promise<{ items: CdrRecord[]; total: number }> {
    const query = toQuery(filter);
    const [documents, total] = await Promise.all([
      storeCall('list cdrs', () => this.cdrs.find(query).sort({ created_at: 1, _id: 1 }).skip(offset).limit(limit).toArray()),
      storeCall('count cdrs', () => this.cdrs.countDocuments(query)),
    ]);
    return { items: documents.map(fromDocument), total };
  }

  /**
   * Every CDR whose end_date_time is in [start, end) (and of the contract, when given), in no
   * particular order, without pricing_json (and without ocpi_json unless asked for), each passed
   * to `pick` as it arrives: what it returns is kept (undefined: skipped), the document dropped,
   * so memory holds only what the caller keeps, at most `max` of them.
   *
   * One cursor read in batches of `batchSize`: FerretDB scans the whole collection once and
   * evaluates the filter as it goes (it serves only `_id` from an index; paging by `_id` ranges
   * would scan it once per page), so only the matches travel. MongoDB uses the end_date_time
   * index. Documents stored before end_date_time was kept beside the CDR match the filter too;
   * their end is read from the OCPI JSON (one `_id` read each).
   */
  async scanEndingIn<T>(query: EndingInQuery, pick: (cdr: CdrSummary) => T | undefined): Promise<T[]> {
    const range = { $gte: query.start, $lt: query.end };
    const filter: Filter<CdrDocument> = {
      $or: [{ end_date_time: range }, { end_date_time: { $exists: false } }],
      ...(query.contractId ? { contract_id: query.contractId } : {}),
    };
    const projection = query.withOcpiJson ? { pricing_json: 0 } : { pricing_json: 0, ocpi_json: 0 };
    const kept: T[] = [];
    const keep = (summary: CdrSummary): void => {
      let value: T | undefined;
      try {
        value = pick(summary);
      } catch (error) {
        throw isAppError(error) ? error : internal(`stored CDR ${summary.key}: ${error instanceof Error ? error.message : String(error)}`, error);
      }
      if (value === undefined) return;
      if (kept.push(value) > query.max) throw failedPrecondition(`more than ${query.max} CDRs end in [${query.start}, ${query.end}): ask for a shorter period`);
    };
    const legacy: string[] = [];
    await storeCall('scan cdrs by end_date_time', async () => {
      const cursor = this.cdrs.find(filter, { projection, batchSize: query.batchSize });
      try {
        for await (const document of cursor) {
          if (document.end_date_time === undefined) legacy.push(document._id);
          else keep(toSummary(document, query.withOcpiJson));
        }
      } finally {
        await cursor.close();
      }
    });
    for (const key of legacy) {
      const document = await storeCall('get cdr', () => this.cdrs.findOne({ _id: key }, { projection: { pricing_json: 0 } }));
      const end = document ? endDateTimeOfJson(document.ocpi_json) : '';
      if (document && end >= query.start && end < query.end) keep(toSummary({ ...document, end_date_time: end }, query.withOcpiJson));
    }
    return kept;
  }
}

function toSummary(document: Omit<CdrDocument, 'pricing_json' | 'ocpi_json'> & { ocpi_json?: string }, withOcpiJson: boolean): CdrSummary {
  return {
    key: document._id,
    role: document.role,
    cpo: { country_code: document.cpo_country_code, party_id: document.cpo_party_id },
    id: document.cdr_id,
    emsp: { country_code: document.emsp_country_code, party_id: document.emsp_party_id },
    contract_id: document.contract_id,
    session_id: document.session_id,
    currency: document.currency,
    total_cost_excl_vat: document.total_cost_excl_vat,
    total_cost_incl_vat: document.total_cost_incl_vat,
    credit: document.credit,
    credit_reference_id: document.credit_reference_id,
    connection_id: document.connection_id,
    created_at: document.created_at,
    end_date_time: document.end_date_time ?? '',
    ...(withOcpiJson && document.ocpi_json !== undefined ? { ocpi_json: document.ocpi_json } : {}),
  };
}

function toQuery(filter: CdrListFilter): Filter<CdrDocument> {
  const query: Filter<CdrDocument> = {};
  if (filter.role) query.role = filter.role;
  if (filter.cpo) {
    query.cpo_country_code = filter.cpo.country_code.toUpperCase();
    query.cpo_party_id = filter.cpo.party_id.toUpperCase();
  }
  if (filter.emsp) {
    query.emsp_country_code = filter.emsp.country_code.toUpperCase();
    query.emsp_party_id = filter.emsp.party_id.toUpperCase();
  }
  if (filter.contractId) query.contract_id = filter.contractId.toUpperCase();
  if (filter.connectionId) query.connection_id = filter.connectionId;
  if (filter.dateFrom || filter.dateTo) {
    query.created_at = { ...(filter.dateFrom ? { $gte: filter.dateFrom } : {}), ...(filter.dateTo ? { $lt: filter.dateTo } : {}) };
  }
  return query;
}

function toDocument(record: CdrRecord): CdrDocument {
  return {
    _id: record.key,
    role: record.role,
    cpo_country_code: record.cpo.country_code,
    cpo_party_id: record.cpo.party_id,
    cdr_id: record.id,
    emsp_country_code: record.emsp.country_code,
    emsp_party_id: record.emsp.party_id,
    contract_id: record.contract_id,
    session_id: record.session_id,
    currency: record.currency,
    total_cost_excl_vat: record.total_cost_excl_vat,
    total_cost_incl_vat: record.total_cost_incl_vat,
    credit: record.credit,
    credit_reference_id: record.credit_reference_id,
    connection_id: record.connection_id,
    created_at: record.created_at,
    end_date_time: record.end_date_time,
    pricing_json: record.pricing_json,
    ocpi_json: record.ocpi_json,
  };
}

function fromDocument(document: CdrDocument): CdrRecord {
  return {
    key: document._id,
    role: document.role,
    cpo: { country_code: document.cpo_country_code, party_id: document.cpo_party_id },
    id: document.cdr_id,
    emsp: { country_code: document.emsp_country_code, party_id: document.emsp_party_id },
    contract_id: document.contract_id,
    session_id: document.session_id,
    currency: document.currency,
    total_cost_excl_vat: document.total_cost_excl_vat,
    total_cost_incl_vat: document.total_cost_incl_vat,
    credit: document.credit,
    credit_reference_id: document.credit_reference_id,
    connection_id: document.connection_id,
    created_at: document.created_at,
    end_date_time: document.end_date_time ?? endDateTimeOfJson(document.ocpi_json),
    pricing_json: document.pricing_json,
    ocpi_json: document.ocpi_json,
  };
}
