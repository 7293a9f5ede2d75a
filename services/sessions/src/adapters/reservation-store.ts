import type { Collection, Db, Filter } from 'mongodb';
import { mongoCall, writeRevision } from '@voltmesh/mongo';
import type { ReservationRecord } from '../domain/reservation.js';

/** One document per eMSP reservation id (`CC*PID*ID`): the current reservation under it. */
interface ReservationDocument {
  _id: string;
  rev: number;
  reservation: ReservationRecord;
}

export interface StoredReservation {
  key: string;
  reservation: ReservationRecord;
  rev: number;
}

/** The reservations collection. Driver errors end here (mongoCall). */
export class ReservationStore {
  private readonly collection: Collection<ReservationDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ReservationDocument>('reservations');
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall('create reservation indexes', () => this.collection.createIndex({ 'reservation.status': 1, 'reservation.expiryDate': 1 }));
  }

  async get(key: string): Promise<StoredReservation | undefined> {
    const document = await mongoCall('get reservation', () => this.collection.findOne({ _id: key }));
    return document ? fromDocument(document) : undefined;
  }

  /** Compare-and-set on the revision read (see CommandStore.save); undefined when another writer won. */
  async save(key: string, reservation: ReservationRecord, expected: StoredReservation | undefined): Promise<StoredReservation | undefined> {
    const document: ReservationDocument = { _id: key, rev: (expected?.rev ?? 0) + 1, reservation };
    return (await writeRevision(this.collection, document, expected?.rev, 'reservation')) ? fromDocument(document) : undefined;
  }

  /** At most `limit` reservations, soonest expiry first. */
  async list(activeOnly: boolean, limit: number): Promise<ReservationRecord[]> {
    const query: Filter<ReservationDocument> = activeOnly ? { 'reservation.status': 'ACTIVE' } : {};
    const documents = await mongoCall('list reservations', () => this.collection.find(query).sort({ 'reservation.expiryDate': 1, _id: 1 }).limit(limit).toArray());
    return documents.map((document) => document.reservation);
  }
}

function fromDocument(document: ReservationDocument): StoredReservation {
  return { key: document._id, reservation: document.reservation, rev: document.rev };
}
