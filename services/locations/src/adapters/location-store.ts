import type { Collection, Db } from 'mongodb';
import { mongoCall, writeRevision } from '@voltmesh/mongo';
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
  // Optimistic concurrency: every write expects the revision it read.
  rev: number;
  // True from a save until its LocationChanged event is on Kafka, so a crash in between is
  // repaired by the republisher instead of losing the event.
  unpublished: boolean;
}

/** The locations collection. Driver errors end here (mongoCall). */
export class LocationStore {
  private readonly collection: Collection<LocationDocument>;

  constructor(db: Db) {
    this.collection = db.collection<LocationDocument>('locations');
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall('create location indexes', async () => {
      // Lists and searches are served by the read model; these serve MongoDB tools and reports.
      await this.collection.createIndex({ owner: 1, last_updated: 1, _id: 1 });
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
      rev: (expected?.rev ?? 0) + 1,
      unpublished: true,
    };
    return (await writeRevision(this.collection, document, expected?.rev, 'location')) ? fromDocument(document) : undefined;
  }

  /**
   * Clears publish markers, unless a newer save happened meanwhile (it has its own event
   * coming): one bulk write for many. A marker left set only means one more (harmless,
   * idempotent) event after a restart.
   */
  async markPublished(marks: { key: LocationKey; rev: number }[]): Promise<void> {
    if (marks.length === 0) return;
    await mongoCall('mark locations published', () =>
      this.collection.bulkWrite(
        marks.map(({ key, rev }) => ({ updateOne: { filter: { _id: locationKey(key), rev }, update: { $set: { unpublished: false } } } })),
        { ordered: false },
      ),
    );
  }

  /**
   * Stores many new locations in bulk writes, as already published (no events): an initial
   * import of an existing network, e.g. the crawl benchmark's 50,000 locations. A running
   * service sees them after its next start (the read model loads at start).
   */
  async importMany(locations: Location[], owner: Owner): Promise<number> {
    let imported = 0;
    for (let index = 0; index < locations.length; index += 1000) {
      const documents: LocationDocument[] = locations.slice(index, index + 1000).map((location) => ({
        _id: locationKey({ country_code: location.country_code, party_id: location.party_id, location_id: location.id }),
        country_code: location.country_code,
        party_id: location.party_id,
        location_id: location.id,
        owner,
        connection_id: '',
        last_updated: location.last_updated,
        location,
        rev: 1,
        unpublished: false,
        }));
      const result = await mongoCall('import locations', () => this.collection.insertMany(documents, { ordered: false }));
      imported += result.insertedCount;
    }
    return imported;
  }

  /** Every stored location, streamed (the read model's load at start). */
  async *all(): AsyncGenerator<StoredLocation> {
    const cursor = this.collection.find({}, { batchSize: 1000 });
    try {
      for (;;) {
        const document = await mongoCall('read locations', () => cursor.next());
        if (!document) return;
        yield fromDocument(document);
      }
    } finally {
      await cursor.close();
    }
  }
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
