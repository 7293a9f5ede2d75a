import { MongoBulkWriteError, type Collection, type Db, type Filter } from 'mongodb';
import { mongoCall } from '@voltmesh/mongo';
import { uidTypeKey } from '../domain/stored-token.js';
import type { DecisionQuery, DecisionRecord } from '../domain/decision.js';

/**
 * One document per decision; `_id` is our id of it (not the authorization_reference, which an
 * eMSP chooses and may repeat), so a retried batch inserts nothing twice.
 */
interface DecisionDocument extends Omit<DecisionRecord, 'id'> {
  _id: string;
  uid_type: string;
  /** `CC*PID`, or empty when the token was unknown. */
  party: string;
}

/** The decisions collection (the audit log). Driver errors end here (mongoCall). */
export class DecisionStore {
  private readonly collection: Collection<DecisionDocument>;

  constructor(db: Db) {
    this.collection = db.collection<DecisionDocument>('decisions');
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall('create decision indexes', () => this.collection.createIndex({ uid_type: 1, decided_at: -1 }));
  }

  async insertMany(records: DecisionRecord[]): Promise<void> {
    if (records.length === 0) return;
    await mongoCall('insert decisions', async () => {
      try {
        await this.collection.insertMany(records.map(toDocument), { ordered: false });
      } catch (error) {
        // A batch retried after a partial failure: the decisions already written are duplicates.
        if (error instanceof MongoBulkWriteError && onlyDuplicates(error)) return;
        throw error;
      }
    });
  }

  async list(query: DecisionQuery): Promise<DecisionRecord[]> {
    const filter: Filter<DecisionDocument> = { uid_type: query.uidType, ...(query.party !== undefined ? { party: query.party } : {}) };
    const documents = await mongoCall('list decisions', () => this.collection.find(filter).sort({ decided_at: -1, _id: -1 }).limit(query.limit).toArray());
    return documents.map(fromDocument);
  }
}

function onlyDuplicates(error: MongoBulkWriteError): boolean {
  const failures = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return failures.length > 0 && failures.every((failure) => failure.code === 11000);
}

function toDocument(record: DecisionRecord): DecisionDocument {
  const { id, ...rest } = record;
  return { _id: id, ...rest, uid_type: uidTypeKey(record.uid, record.type), party: record.country_code ? `${record.country_code}*${record.party_id}` : '' };
}

function fromDocument(document: DecisionDocument): DecisionRecord {
  return {
    id: document._id,
    authorization_reference: document.authorization_reference,
    country_code: document.country_code,
    party_id: document.party_id,
    uid: document.uid,
    type: document.type,
    allowed: document.allowed,
    decided_by: document.decided_by,
    role: document.role,
    connection_id: document.connection_id,
    location_id: document.location_id,
    evse_uids: document.evse_uids,
    decided_at: document.decided_at,
    duration_ms: document.duration_ms,
  };
}
