import type { Collection, Db } from 'mongodb';
import { KeyedLock, mongoCall } from '@voltmesh/mongo';
import type { ClientInfo } from '@voltmesh/ocpi';
import { partyKey } from '../domain/connection.js';

/** What a hub told us about one party it connects (OCPI 2.2.1 §12), kept per hub connection. */
export interface StoredClientInfo {
  /** `<hub connection id>|<CC*PID>` */
  _id: string;
  hub_connection_id: string;
  party_key: string;
  info: ClientInfo;
  received_at: Date;
}

/**
 * Collection `hub_client_info` in the gateway's database. A PUT older than what is stored
 * (by last_updated) changes nothing; ClientInfo objects are never deleted (SUSPENDED instead).
 */
export class HubClientInfoStore {
  private readonly collection: Collection<StoredClientInfo>;
  /** Read-compare-write per party, one at a time (FerretDB's conditional writes race). */
  private readonly lock = new KeyedLock();

  constructor(db: Db) {
    this.collection = db.collection<StoredClientInfo>('hub_client_info');
  }

  /** Stores the hub's ClientInfo unless a newer one is held; true when stored. */
  async put(hubConnectionId: string, info: ClientInfo, now: Date): Promise<boolean> {
    const key = partyKey(info.country_code, info.party_id);
    const _id = `${hubConnectionId}|${key}`;
    return this.lock.run(_id, async () => {
      const held = await this.get(hubConnectionId, info.country_code, info.party_id);
      if (held && held.info.last_updated > info.last_updated) return false;
      const document: StoredClientInfo = { _id, hub_connection_id: hubConnectionId, party_key: key, info, received_at: now };
      await mongoCall('store hub client info', () => this.collection.replaceOne({ _id }, document, { upsert: true }));
      return true;
    });
  }

  async get(hubConnectionId: string, countryCode: string, partyId: string): Promise<StoredClientInfo | undefined> {
    const _id = `${hubConnectionId}|${partyKey(countryCode, partyId)}`;
    return (await mongoCall('read hub client info', () => this.collection.findOne({ _id }))) ?? undefined;
  }

  /** Everything every hub reported (a few entries per party at most): for the admin API and the dispatcher. */
  async list(): Promise<StoredClientInfo[]> {
    return mongoCall('list hub client info', () => this.collection.find({}).sort({ _id: 1 }).toArray());
  }
}
