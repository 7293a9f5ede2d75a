import type { Collection, Db } from 'mongodb';
import { mongoCall } from '@voltmesh/mongo';

interface DueDocument {
  _id: string;
  due_at: Date;
}

export interface DueEntry {
  id: string;
  dueAt: Date;
}

/**
 * When the sweeper must next look at an object (a command, a reservation): a small collection
 * of live entries only, so the sweep reads a few documents instead of scanning every command
 * ever made (FerretDB serves only `_id` lookups from an index). An entry is a hint, the object
 * is the truth: it is written before the object's save (a crash in between leaves an entry
 * for nothing, never an object nobody looks at) and removed once the object needs nothing.
 */
export class DueList {
  private readonly collection: Collection<DueDocument>;

  constructor(
    db: Db,
    name: string,
    private readonly what: string,
  ) {
    this.collection = db.collection<DueDocument>(name);
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall(`create ${this.what} due index`, () => this.collection.createIndex({ due_at: 1 }));
  }

  async schedule(id: string, at: Date): Promise<void> {
    await mongoCall(`schedule ${this.what}`, () => this.collection.updateOne({ _id: id }, { $set: { due_at: at } }, { upsert: true }));
  }

  async listDue(now: Date, limit: number): Promise<DueEntry[]> {
    const documents = await mongoCall(`list due ${this.what}s`, () => this.collection.find({ due_at: { $lte: now } }).sort({ due_at: 1 }).limit(limit).toArray());
    return documents.map((document) => ({ id: document._id, dueAt: document.due_at }));
  }

  /** Moves an entry the sweeper handled, unless someone rescheduled it since it was read. */
  async reschedule(entry: DueEntry, next: Date): Promise<void> {
    await mongoCall(`reschedule ${this.what}`, () => this.collection.updateOne({ _id: entry.id, due_at: entry.dueAt }, { $set: { due_at: next } }));
  }

  /** Removes an entry the sweeper handled, unless someone rescheduled it since it was read. */
  async clear(entry: DueEntry): Promise<void> {
    await mongoCall(`clear ${this.what}`, () => this.collection.deleteOne({ _id: entry.id, due_at: entry.dueAt }));
  }
}
