import type { Collection, Db } from 'mongodb';
import { mongoCall, writeRevision } from '@voltmesh/mongo';
import type { ActiveProfileRecord } from '../domain/active-profile.js';

/**
 * One document per session with a profile (`_id` = the session's key `CC*PID*ID`): the record,
 * its revision, and the publish marker of ActiveProfileChanged. Apart from the session document
 * on purpose: a profile report must not rewrite (and republish on sessions.session.v1) a whole
 * session with its periods.
 */
interface ProfileDocument {
  _id: string;
  // Optimistic concurrency: every write expects the revision it read. Also the ActiveProfileChanged revision.
  rev: number;
  // True from a save that owes the eMSP an ActiveProfileChanged until it is on Kafka.
  unpublished: boolean;
  saved_at: Date;
  profile: ActiveProfileRecord;
}

export interface StoredProfile {
  record: ActiveProfileRecord;
  rev: number;
  unpublished: boolean;
  savedAt: Date;
}

/** The session_profiles collection, read only by `_id`. Driver errors end here (mongoCall). */
export class ProfileStore {
  private readonly collection: Collection<ProfileDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ProfileDocument>('session_profiles');
  }

  async get(key: string): Promise<StoredProfile | undefined> {
    const document = await mongoCall('get session profile', () => this.collection.findOne({ _id: key }));
    return document ? fromDocument(document) : undefined;
  }

  /**
   * Saves the next state if nobody wrote since `expected` was read, or inserts when `expected`
   * is undefined. Undefined when another writer won: the caller re-reads and re-applies.
   */
  async save(record: ActiveProfileRecord, unpublished: boolean, expected: StoredProfile | undefined): Promise<StoredProfile | undefined> {
    const document: ProfileDocument = { _id: record.key, rev: (expected?.rev ?? 0) + 1, unpublished, saved_at: new Date(), profile: record };
    return (await writeRevision(this.collection, document, expected?.rev, 'session profile')) ? fromDocument(document) : undefined;
  }

  /** Clears the publish marker, unless a newer save happened meanwhile (it has its own event coming). */
  async markPublished(key: string, rev: number): Promise<void> {
    await mongoCall('mark session profile published', () => this.collection.updateOne({ _id: key, rev }, { $set: { unpublished: false } }));
  }
}

function fromDocument(document: ProfileDocument): StoredProfile {
  return { record: document.profile, rev: document.rev, unpublished: document.unpublished, savedAt: document.saved_at };
}
