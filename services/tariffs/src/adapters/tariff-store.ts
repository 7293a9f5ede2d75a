import type { Collection, Db, Filter } from 'mongodb';
import { mongoCall, writeRevision } from '@voltmesh/mongo';
import type { Tariff } from '@voltmesh/ocpi';
import { tariffKey, type Owner, type StoredTariff, type TariffKey } from '../domain/stored-tariff.js';

/** One document per tariff: the OCPI object plus what the store indexes, the publish marker and the tombstone. */
interface TariffDocument {
  _id: string;
  country_code: string;
  party_id: string;
  tariff_id: string;
  owner: Owner;
  connection_id: string;
  last_updated: string;
  tariff: Tariff;
  // A deletion keeps the document (with its last state) so a late, older PUT cannot bring it
  // back; reads and lists skip it. deleted_at is null while the tariff exists.
  deleted: boolean;
  deleted_at: string | null;
  // Optimistic concurrency: every write expects the revision it read.
  rev: number;
  // True from a save until its TariffChanged event is on Kafka, so a crash in between is
  // repaired by the republisher instead of losing the event.
  unpublished: boolean;
  saved_at: Date;
}

export interface ListFilter {
  owner?: Owner;
  party?: { country_code: string; party_id: string };
  dateFrom?: string;
  dateTo?: string;
}

/** The tariffs collection. Driver errors end here (mongoCall). */
export class TariffStore {
  private readonly collection: Collection<TariffDocument>;

  constructor(db: Db) {
    this.collection = db.collection<TariffDocument>('tariffs');
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall('create tariff indexes', async () => {
      await this.collection.createIndex({ deleted: 1, last_updated: 1, _id: 1 });
      await this.collection.createIndex({ owner: 1, deleted: 1, last_updated: 1, _id: 1 });
      await this.collection.createIndex({ unpublished: 1 });
    });
  }

  /** A tariff that exists (tombstones are hidden), for reads and pricing. */
  async get(key: TariffKey): Promise<StoredTariff | undefined> {
    const stored = await this.getIncludingDeleted(key);
    return stored && stored.deleted_at === undefined ? stored : undefined;
  }

  /** The stored document whatever its state: the writer needs tombstones to refuse stale PUTs. */
  async getIncludingDeleted(key: TariffKey): Promise<StoredTariff | undefined> {
    const document = await mongoCall('get tariff', () => this.collection.findOne({ _id: tariffKey(key) }));
    return document ? fromDocument(document) : undefined;
  }

  /**
   * Saves a new state if nobody wrote since `expected` was read (its rev), or inserts when
   * `expected` is undefined. Returns undefined when another writer won: the caller re-reads and
   * re-applies its change.
   */
  async save(next: Omit<StoredTariff, 'rev' | 'unpublished'>, expected: StoredTariff | undefined): Promise<StoredTariff | undefined> {
    const _id = tariffKey(next);
    const document: TariffDocument = {
      _id,
      country_code: next.country_code,
      party_id: next.party_id,
      tariff_id: next.tariff_id,
      owner: next.owner,
      connection_id: next.connection_id,
      last_updated: next.tariff.last_updated,
      tariff: next.tariff,
      deleted: next.deleted_at !== undefined,
      deleted_at: next.deleted_at ?? null,
      rev: (expected?.rev ?? 0) + 1,
      unpublished: true,
      saved_at: new Date(),
    };
    return (await writeRevision(this.collection, document, expected?.rev, 'tariff')) ? fromDocument(document) : undefined;
  }

  /** Clears the publish marker, unless a newer save happened meanwhile (it has its own event coming). */
  async markPublished(key: TariffKey, rev: number): Promise<void> {
    await mongoCall('mark tariff published', () => this.collection.updateOne({ _id: tariffKey(key), rev }, { $set: { unpublished: false } }));
  }

  /** Saves (deletions included) whose event may not have reached Kafka (crash between save and publish). */
  async listUnpublished(olderThan: Date, limit: number): Promise<StoredTariff[]> {
    const documents = await mongoCall('list unpublished tariffs', () =>
      this.collection.find({ unpublished: true, saved_at: { $lt: olderThan } }).limit(limit).toArray(),
    );
    return documents.map(fromDocument);
  }

  /** One page of existing tariffs ordered by last_updated then key (stable while objects are not changing), and the total. */
  async list(filter: ListFilter, offset: number, limit: number): Promise<{ items: StoredTariff[]; total: number }> {
    const query = toQuery(filter);
    const [documents, total] = await Promise.all([
      mongoCall('list tariffs', () => this.collection.find(query).sort({ last_updated: 1, _id: 1 }).skip(offset).limit(limit).toArray()),
      mongoCall('count tariffs', () => this.collection.countDocuments(query)),
    ]);
    return { items: documents.map(fromDocument), total };
  }
}

function toQuery(filter: ListFilter): Filter<TariffDocument> {
  const query: Filter<TariffDocument> = { deleted: false };
  if (filter.owner) query.owner = filter.owner;
  if (filter.party) {
    query.country_code = filter.party.country_code.toUpperCase();
    query.party_id = filter.party.party_id.toUpperCase();
  }
  if (filter.dateFrom || filter.dateTo) {
    query.last_updated = {
      ...(filter.dateFrom ? { $gte: filter.dateFrom } : {}),
      ...(filter.dateTo ? { $lt: filter.dateTo } : {}),
    };
  }
  return query;
}

function fromDocument(document: TariffDocument): StoredTariff {
  return {
    country_code: document.country_code,
    party_id: document.party_id,
    tariff_id: document.tariff_id,
    owner: document.owner,
    connection_id: document.connection_id,
    tariff: document.tariff,
    ...(document.deleted_at !== null ? { deleted_at: document.deleted_at } : {}),
    rev: document.rev,
    unpublished: document.unpublished,
  };
}
