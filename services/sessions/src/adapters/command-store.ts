import type { Collection, Db } from 'mongodb';
import { mongoCall, writeRevision } from '@voltmesh/mongo';
import type { CommandRecord } from '../domain/command.js';

/** One document per command: the record, its revision and the publish marker. */
interface CommandDocument {
  _id: string;
  // Optimistic concurrency: every write expects the revision it read.
  rev: number;
  // True from a save until its CommandChanged is on Kafka; the sweeper republishes what stays true.
  unpublished: boolean;
  saved_at: Date;
  command: CommandRecord;
}

export interface StoredCommand {
  command: CommandRecord;
  rev: number;
  unpublished: boolean;
  savedAt: Date;
}

/** The commands collection, read only by `_id`. Driver errors end here (mongoCall). */
export class CommandStore {
  private readonly collection: Collection<CommandDocument>;

  constructor(db: Db) {
    this.collection = db.collection<CommandDocument>('commands');
  }

  async get(id: string): Promise<StoredCommand | undefined> {
    const document = await mongoCall('get command', () => this.collection.findOne({ _id: id }));
    return document ? fromDocument(document) : undefined;
  }

  /**
   * Saves the next state if nobody wrote since `expected` was read, or inserts when `expected`
   * is undefined. Undefined when another writer won: the caller re-reads and re-applies.
   */
  async save(command: CommandRecord, expected: StoredCommand | undefined): Promise<StoredCommand | undefined> {
    const document: CommandDocument = { _id: command.id, rev: (expected?.rev ?? 0) + 1, unpublished: true, saved_at: new Date(), command };
    return (await writeRevision(this.collection, document, expected?.rev, 'command')) ? fromDocument(document) : undefined;
  }

  /** Clears the publish marker, unless a newer save happened meanwhile (it has its own event coming). */
  async markPublished(id: string, rev: number): Promise<void> {
    await mongoCall('mark command published', () => this.collection.updateOne({ _id: id, rev }, { $set: { unpublished: false } }));
  }
}

function fromDocument(document: CommandDocument): StoredCommand {
  return { command: document.command, rev: document.rev, unpublished: document.unpublished, savedAt: document.saved_at };
}
