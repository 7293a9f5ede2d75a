import type { Collection, Db, Filter } from 'mongodb';
import { isDuplicateKeyError, mongoCall } from '@voltmesh/mongo';
import type { Location } from '@voltmesh/ocpi';
import { locationKey, type LocationKey, type Owner, type StoredLocation } from '../domain/stored-location.js';

/** One document per location: the OCPI object plus what the store indexes and the publish marker. */
interface LocationDocument {
  _id: string;
  country_code: string;
  party_id: string;
  location_id: string;
  owner: Owner;
  connection_id: string;
  last_updated: string;
  location: Location;
  // Numbers for the near-by search (a bounding box query, then exact distance in code:
  // FerretDB has no geospatial indexes).
  lat: number;
  lon: number;
  // Optimistic concurrency: every write expects the revision it read.
  rev: number;
  // True from a save until its LocationChanged event is on Kafka, so a crash in between is
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

/** The locations collection. Driver errors end here (mongoCall). */
export class LocationStore {
  private readonly collection: Collection<LocationDocument>;

  constructor(db: Db) {
    this.collection = db.collection<LocationDocument>('locations');
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall('create location indexes', async () => {
      await this.collection.createIndex({ last_updated: 1, _id: 1 });
      await this.collection.createIndex({ owner: 1, last_updated: 1, _id: 1 });
      await this.collection.createIndex({ unpublished: 1 });
      await this.collection.createIndex({ lat: 1, lon: 1 });
    });
  }

  async get(key: LocationKey): Promise<StoredLocation | undefined> {
    const document = await mongoCall('get location', () => this.collection.findOne({ _id: locationKey(key) }));
    return document ? fromDocument(document) : undefined;
  }

  /**
   * Saves a new state if nobody wrote since `expected` was read (its rev), or inserts when
   * `expected` is undefined. Returns false when another writer won: the caller re-reads and
   * re-applies its change.
   */
  async save(next: Omit<StoredLocation, 'rev' | 'unpublished'>, expected: StoredLocation | undefined): Promise<StoredLocation | undefined> {
    const _id = locationKey(next);
    const document: LocationDocument = {
      _id,
      country_code: next.country_code,
      party_id: next.party_id,
      location_id: next.location_id,
      owner: next.owner,
      connection_id: next.connection_id,
      last_updated: next.location.last_updated,
      location: next.location,
      lat: Number(next.location.coordinates.latitude),
      lon: Number(next.location.coordinates.longitude),
      rev: (expected?.rev ?? 0) + 1,
      unpublished: true,
      saved_at: new Date(),
    };
    if (!expected) {
      const inserted = await mongoCall('insert location', async () => {
        try {
          await this.collection.insertOne(document);
          return true;
        } catch (error) {
          if (isDuplicateKeyError(error)) return false;
          throw error;
        }
      });
      return inserted ? fromDocument(document) : undefined;
    }
    const result = await mongoCall('update location', () => this.collection.replaceOne({ _id, rev: expected.rev }, document));
    return result.matchedCount === 1 ? fromDocument(document) : undefined;
  }

  /** Clears the publish marker, unless a newer save happened meanwhile (it has its own event coming). */
  async markPublished(key: LocationKey, rev: number): Promise<void> {
    await mongoCall('mark location published', () => this.collection.updateOne({ _id: locationKey(key), rev }, { $set: { unpublished: false } }));
  }

  /** Saves whose event may not have reached Kafka (crash between save and publish). */
  async listUnpublished(olderThan: Date, limit: number): Promise<StoredLocation[]> {
    const documents = await mongoCall('list unpublished locations', () =>
      this.collection.find({ unpublished: true, saved_at: { $lt: olderThan } }).limit(limit).toArray(),
    );
    return documents.map(fromDocument);
  }

  /** One page ordered by last_updated then key (stable while objects are not changing), and the total. */
  async list(filter: ListFilter, offset: number, limit: number): Promise<{ items: StoredLocation[]; total: number }> {
    const query = toQuery(filter);
    const [documents, total] = await Promise.all([
      mongoCall('list locations', () => this.collection.find(query).sort({ last_updated: 1, _id: 1 }).skip(offset).limit(limit).toArray()),
      mongoCall('count locations', () => this.collection.countDocuments(query)),
    ]);
    return { items: documents.map(fromDocument), total };
  }

  /** Locations inside a bounding box (degrees), for the near-by search. */
  async inBox(box: { minLat: number; maxLat: number; minLon: number; maxLon: number }, owner: Owner | undefined, limit: number): Promise<StoredLocation[]> {
    const query: Filter<LocationDocument> = { lat: { $gte: box.minLat, $lte: box.maxLat }, lon: { $gte: box.minLon, $lte: box.maxLon } };
    if (owner) query.owner = owner;
    const documents = await mongoCall('search locations', () => this.collection.find(query).limit(limit).toArray());
    return documents.map(fromDocument);
  }
}

function toQuery(filter: ListFilter): Filter<LocationDocument> {
  const query: Filter<LocationDocument> = {};
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

function fromDocument(document: LocationDocument): StoredLocation {
  return {
    country_code: document.country_code,
    party_id: document.party_id,
    location_id: document.location_id,
    owner: document.owner,
    connection_id: document.connection_id,
    location: document.location,
    rev: document.rev,
    unpublished: document.unpublished,
  };
}
