import type { Collection, Db } from 'mongodb';
import { mongoCall } from '@voltmesh/mongo';
import { partyKey, type Party } from '../domain/command.js';
import type { SessionRecord } from '../domain/session-record.js';

/** One document per session of our CPO (`CC*PID*ID`). */
interface SessionDocument {
  _id: string;
  session: SessionRecord;
}

const sessionKey = (cpo: Party, id: string): string => `${partyKey(cpo)}*${id}`.toUpperCase();

/** The sessions collection (minimal records for now). Driver errors end here (mongoCall). */
export class SessionStore {
  private readonly collection: Collection<SessionDocument>;

  constructor(db: Db) {
    this.collection = db.collection<SessionDocument>('sessions');
  }

  async get(cpo: Party, id: string): Promise<SessionRecord | undefined> {
    const document = await mongoCall('get session', () => this.collection.findOne({ _id: sessionKey(cpo, id) }));
    return document?.session;
  }

  /** Records a started session once; a repeated report changes nothing. */
  async recordStarted(session: SessionRecord): Promise<void> {
    await mongoCall('record started session', () =>
      this.collection.updateOne({ _id: sessionKey(session.cpo, session.id) }, { $setOnInsert: { session } }, { upsert: true }),
    );
  }

  async markCompleted(cpo: Party, id: string, endedAt: string): Promise<void> {
    await mongoCall('complete session', () =>
      this.collection.updateOne({ _id: sessionKey(cpo, id), 'session.status': 'ACTIVE' }, { $set: { 'session.status': 'COMPLETED', 'session.endedAt': endedAt } }),
    );
  }
}
