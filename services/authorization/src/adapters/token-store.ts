import type { Collection, Db, Filter } from 'mongodb';
import { mongoCall, writeRevision } from '@voltmesh/mongo';
import type { Token } from '@voltmesh/ocpi';
import { tokenKey, uidTypeKey, type Owner, type StoredToken, type TokenAccount, type TokenKey } from '../domain/stored-token.js';

/** One document per token: the OCPI object plus what the store queries on, the account rules and the publish marker. */
interface TokenDocument {
  _id: string;
  country_code: string;
  party_id: string;
  uid: string;
  type: string;
  // `UID*TYPE`: our CPO finds a token by what the charger read, without knowing its eMSP.
  uid_type: string;
  owner: Owner;
  connection_id: string;
  contract_id: string;
  last_updated: string;
  token: Token;
  account: AccountDocument | null;
  // Optimistic concurrency: every write expects the revision it read.
  rev: number;
  // True from a save until its TokenChanged event is on Kafka, so a crash in between is
  // repaired by the republisher instead of losing the event.
  unpublished: boolean;
  saved_at: Date;
}

interface AccountDocument {
  valid_until: string | null;
  no_credit: boolean;
  allowed_cpo_parties: string[];
}

export interface TokenListFilter {
  owner?: Owner;
  party?: { country_code: string; party_id: string };
  contractId?: string;
  connectionId?: string;
  dateFrom?: string;
  dateTo?: string;
}

/** The tokens collection. Driver errors end here (mongoCall). */
export class TokenStore {
  private readonly collection: Collection<TokenDocument>;

  constructor(db: Db) {
    this.collection = db.collection<TokenDocument>('tokens');
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall('create token indexes', async () => {
      await this.collection.createIndex({ uid_type: 1 });
      await this.collection.createIndex({ last_updated: 1, _id: 1 });
      await this.collection.createIndex({ owner: 1, last_updated: 1, _id: 1 });
      await this.collection.createIndex({ contract_id: 1 });
      await this.collection.createIndex({ unpublished: 1 });
    });
  }

  async get(key: TokenKey | string): Promise<StoredToken | undefined> {
    const _id = typeof key === 'string' ? key : tokenKey(key);
    const document = await mongoCall('get token', () => this.collection.findOne({ _id }));
    return document ? fromDocument(document) : undefined;
  }

  /** Every token with this uid and type, whoever issued it. */
  async findByUidType(uidType: string): Promise<StoredToken[]> {
    const documents = await mongoCall('find tokens by uid and type', () => this.collection.find({ uid_type: uidType }).limit(100).toArray());
    return documents.map(fromDocument);
  }

  /**
   * Saves a new state if nobody wrote since `expected` was read (its rev), or inserts when
   * `expected` is undefined. Returns undefined when another writer won: the caller re-reads and
   * re-applies its change.
   */
  async save(next: Omit<StoredToken, 'rev' | 'unpublished'>, expected: StoredToken | undefined): Promise<StoredToken | undefined> {
    const { token } = next;
    const document: TokenDocument = {
      _id: tokenKey(token),
      country_code: token.country_code,
      party_id: token.party_id,
      uid: token.uid.toUpperCase(),
      type: token.type,
      uid_type: uidTypeKey(token.uid, token.type),
      owner: next.owner,
      connection_id: next.connection_id,
      contract_id: token.contract_id.toUpperCase(),
      last_updated: token.last_updated,
      token,
      account: next.account ? { valid_until: next.account.valid_until ?? null, no_credit: next.account.no_credit, allowed_cpo_parties: next.account.allowed_cpo_parties } : null,
      rev: (expected?.rev ?? 0) + 1,
      unpublished: true,
      saved_at: new Date(),
    };
    return (await writeRevision(this.collection, document, expected?.rev, 'token')) ? fromDocument(document) : undefined;
  }

  /** Clears the publish marker, unless a newer save happened meanwhile (it has its own event coming). */
  async markPublished(key: string, rev: number): Promise<void> {
    await mongoCall('mark token published', () => this.collection.updateOne({ _id: key, rev }, { $set: { unpublished: false } }));
  }

  /** Saves whose event may not have reached Kafka (crash between save and publish). */
  async listUnpublished(olderThan: Date, limit: number): Promise<StoredToken[]> {
    const documents = await mongoCall('list unpublished tokens', () => this.collection.find({ unpublished: true, saved_at: { $lt: olderThan } }).limit(limit).toArray());
    return documents.map(fromDocument);
  }

  /** One page ordered by last_updated then key (party, uid, type), and the total. */
  async list(filter: TokenListFilter, offset: number, limit: number): Promise<{ items: StoredToken[]; total: number }> {
    const query = toQuery(filter);
    const [documents, total] = await Promise.all([
      mongoCall('list tokens', () => this.collection.find(query).sort({ last_updated: 1, _id: 1 }).skip(offset).limit(limit).toArray()),
      mongoCall('count tokens', () => this.collection.countDocuments(query)),
    ]);
    return { items: documents.map(fromDocument), total };
  }
}

function toQuery(filter: TokenListFilter): Filter<TokenDocument> {
  const query: Filter<TokenDocument> = {};
  if (filter.owner) query.owner = filter.owner;
  if (filter.party) {
    query.country_code = filter.party.country_code.toUpperCase();
    query.party_id = filter.party.party_id.toUpperCase();
  }
  if (filter.contractId) query.contract_id = filter.contractId.toUpperCase();
  if (filter.connectionId) query.connection_id = filter.connectionId;
  if (filter.dateFrom || filter.dateTo) {
    query.last_updated = {
      ...(filter.dateFrom ? { $gte: filter.dateFrom } : {}),
      ...(filter.dateTo ? { $lt: filter.dateTo } : {}),
    };
  }
  return query;
}

function fromDocument(document: TokenDocument): StoredToken {
  return {
    owner: document.owner,
    connection_id: document.connection_id,
    token: document.token,
    ...(document.account ? { account: fromAccountDocument(document.account) } : {}),
    rev: document.rev,
    unpublished: document.unpublished,
  };
}

function fromAccountDocument(account: AccountDocument): TokenAccount {
  return {
    ...(account.valid_until !== null ? { valid_until: account.valid_until } : {}),
    no_credit: account.no_credit,
    allowed_cpo_parties: account.allowed_cpo_parties,
  };
}
