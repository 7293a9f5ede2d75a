import type { Collection, Db, Filter } from 'mongodb';
import { isDuplicateKeyError } from '@voltmesh/mongo';
import type { Party } from '../domain/cdr-record.js';
import type { DisputeRecord, ReconciliationRecord, ReconciliationStatus } from '../domain/reconciliation.js';
import { insertAbsent, storeCall } from './store-call.js';

/** The outcome of reconciling a received CDR (`_id` = the CDR key), written once; absent = pending. */
interface ReconciliationDocument {
  _id: string;
  status: ReconciliationStatus;
  reason: string;
  pricing_json: string;
  reconciled_at: string;
}

/**
 * A received CDR whose reconciliation is still to do: a small collection of live entries so the
 * sweeper never scans the CDRs. Written before the CDR (a crash in between leaves an entry for
 * nothing, never a CDR nobody reconciles), removed once the outcome is stored. An entry for a CDR
 * already reconciled (written late by a receipt that lost the race to store it) is cleared by
 * the sweeper's next visit.
 */
interface DueDocument {
  _id: string;
  due_at: Date;
}

interface DisputeDocument {
  _id: string;
  cpo_country_code: string;
  cpo_party_id: string;
  cdr_id: string;
  connection_id: string;
  currency: string;
  charged_incl_vat: string;
  expected_incl_vat: string;
  difference_incl_vat: string;
  status: DisputeRecord['status'];
  reason: string;
  details_json: string;
  opened_at: string;
}

export interface DisputeListFilter {
  cpo?: Party;
  status?: DisputeRecord['status'];
  dateFrom?: string;
  dateTo?: string;
}

/** Collections reconciliations, reconciliation_due and disputes. Driver errors end here. */
export class ReconciliationStore {
  private readonly outcomes: Collection<ReconciliationDocument>;
  private readonly due: Collection<DueDocument>;
  private readonly disputes: Collection<DisputeDocument>;

  constructor(db: Db) {
    this.outcomes = db.collection<ReconciliationDocument>('reconciliations');
    this.due = db.collection<DueDocument>('reconciliation_due');
    this.disputes = db.collection<DisputeDocument>('disputes');
  }

  async ensureIndexes(): Promise<void> {
    await storeCall('create reconciliation indexes', async () => {
      await this.due.createIndex({ due_at: 1 });
      await this.disputes.createIndex({ opened_at: 1, _id: 1 });
    });
  }

  async get(key: string): Promise<ReconciliationRecord | undefined> {
    const document = await storeCall('get reconciliation', () => this.outcomes.findOne({ _id: key }));
    return document ? { key: document._id, status: document.status, reason: document.reason, pricing_json: document.pricing_json, reconciled_at: document.reconciled_at } : undefined;
  }

  /** Stores the outcome unless one exists; resolves with the stored one. */
  async save(record: ReconciliationRecord): Promise<ReconciliationRecord> {
    const { key, ...rest } = record;
    const inserted = await insertAbsent(this.outcomes, [{ _id: key, ...rest }], 'reconciliation');
    return inserted.has(key) ? record : ((await this.get(key)) ?? record);
  }

  /**
   * Makes the CDR due at `at` (creating its entry when there is none). Two upserts of one `_id`
   * at once (the same CDR received twice concurrently, or a receipt beside the sweeper's
   * reschedule) can both try the insert; the loser gets a duplicate key. The entry exists then, so
   * the one retry is a plain update, never a second insert.
   */
  async schedule(key: string, at: Date): Promise<void> {
    const upsert = () => this.due.updateOne({ _id: key }, { $set: { due_at: at } }, { upsert: true });
    await storeCall('schedule reconciliation', async () => {
      try {
        await upsert();
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        await upsert();
      }
    });
  }

  async listDue(now: Date, limit: number): Promise<string[]> {
    const documents = await storeCall('list due reconciliations', () => this.due.find({ due_at: { $lte: now } }).sort({ due_at: 1 }).limit(limit).toArray());
    return documents.map((document) => document._id);
  }

  async clearDue(key: string): Promise<void> {
    await storeCall('clear due reconciliation', () => this.due.deleteOne({ _id: key }));
  }

  async isDue(key: string): Promise<boolean> {
    return (await storeCall('get due reconciliation', () => this.due.findOne({ _id: key }))) !== null;
  }

  async getDispute(key: string): Promise<DisputeRecord | undefined> {
    const document = await storeCall('get dispute', () => this.disputes.findOne({ _id: key }));
    return document ? fromDispute(document) : undefined;
  }

  /** Opens a dispute unless one exists for the CDR; resolves with the stored one. */
  async openDispute(dispute: DisputeRecord): Promise<DisputeRecord> {
    const inserted = await insertAbsent(this.disputes, [toDispute(dispute)], 'dispute');
    return inserted.has(dispute.key) ? dispute : ((await this.getDispute(dispute.key)) ?? dispute);
  }

  /**
   * Every OPEN dispute, in no particular order: one cursor read in batches (a scan of the disputes
   * collection on FerretDB; disputes are few next to CDRs).
   */
  async openDisputes(batchSize: number): Promise<DisputeRecord[]> {
    return storeCall('scan open disputes', async () => {
      const found: DisputeRecord[] = [];
      const cursor = this.disputes.find({ status: 'OPEN' }, { projection: { details_json: 0 }, batchSize });
      try {
        for await (const document of cursor) found.push(fromDispute({ ...document, details_json: '' }));
      } finally {
        await cursor.close();
      }
      return found;
    });
  }

  /** One page ordered by opened_at then key, and the total (a scan on FerretDB; disputes are few). */
  async listDisputes(filter: DisputeListFilter, offset: number, limit: number): Promise<{ items: DisputeRecord[]; total: number }> {
    const query: Filter<DisputeDocument> = {};
    if (filter.cpo) {
      query.cpo_country_code = filter.cpo.country_code.toUpperCase();
      query.cpo_party_id = filter.cpo.party_id.toUpperCase();
    }
    if (filter.status) query.status = filter.status;
    if (filter.dateFrom || filter.dateTo) query.opened_at = { ...(filter.dateFrom ? { $gte: filter.dateFrom } : {}), ...(filter.dateTo ? { $lt: filter.dateTo } : {}) };
    const [documents, total] = await Promise.all([
      storeCall('list disputes', () => this.disputes.find(query).sort({ opened_at: 1, _id: 1 }).skip(offset).limit(limit).toArray()),
      storeCall('count disputes', () => this.disputes.countDocuments(query)),
    ]);
    return { items: documents.map(fromDispute), total };
  }
}

function toDispute(dispute: DisputeRecord): DisputeDocument {
  return {
    _id: dispute.key,
    cpo_country_code: dispute.cpo.country_code,
    cpo_party_id: dispute.cpo.party_id,
    cdr_id: dispute.cdr_id,
    connection_id: dispute.connection_id,
    currency: dispute.currency,
    charged_incl_vat: dispute.charged_incl_vat,
    expected_incl_vat: dispute.expected_incl_vat,
    difference_incl_vat: dispute.difference_incl_vat,
    status: dispute.status,
    reason: dispute.reason,
    details_json: dispute.details_json,
    opened_at: dispute.opened_at,
  };
}

function fromDispute(document: DisputeDocument): DisputeRecord {
  return {
    key: document._id,
    cpo: { country_code: document.cpo_country_code, party_id: document.cpo_party_id },
    cdr_id: document.cdr_id,
    connection_id: document.connection_id,
    currency: document.currency,
    charged_incl_vat: document.charged_incl_vat,
    expected_incl_vat: document.expected_incl_vat,
    difference_incl_vat: document.difference_incl_vat,
    status: document.status,
    reason: document.reason,
    details_json: document.details_json,
    opened_at: document.opened_at,
  };
}
