import { failedPrecondition, invalidArgument, unavailable } from '@voltmesh/errors';
import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { KeyedLock } from '@voltmesh/mongo';
import type { Logger } from '@voltmesh/telemetry';
import { type Location, locationSchema, sameContent, zodErrorMessage } from '@voltmesh/ocpi';
import { locations, objects } from '@voltmesh/proto';
import type { LocationStore } from '../adapters/location-store.js';
import type { LocationReadModel } from './read-model.js';
import { statusOnlyChanges, type EvseStatusChange } from '../domain/status-changes.js';
import { locationKey, type LocationKey, type Owner, type StoredLocation } from '../domain/stored-location.js';

/** A change to apply to the stored state (undefined when the location is unknown). */
export type LocationChange = (stored: Location | undefined) => { location: Location; changed: boolean };

export interface WriteResult {
  stored: StoredLocation | undefined;
  changed: boolean;
}

const MAX_ATTEMPTS = 8;

/**
 * The one way locations change: read, apply a pure change, save if nobody wrote meanwhile
 * (else re-read and re-apply), then publish LocationChanged. A write that changes nothing
 * (replay, older last_updated, same content) saves and publishes nothing, which makes every
 * consumer and RPC on top of it idempotent.
 */
export class LocationWriter {
  constructor(
    private readonly store: LocationStore,
    private readonly model: LocationReadModel,
    private readonly publisher: EventPublisher,
    private readonly logger?: Logger,
  ) {}

  private readonly lock = new KeyedLock();
  private readonly marks: { key: LocationKey; rev: number }[] = [];

  /** Writers of one object take turns in this process (see KeyedLock: FerretDB's conditional updates race). */
  async write(key: LocationKey, owner: Owner, connectionId: string, change: LocationChange): Promise<WriteResult> {
    return this.lock.run(locationKey(key), () => this.writeOnce(key, owner, connectionId, change));
  }

  private async writeOnce(key: LocationKey, owner: Owner, connectionId: string, change: LocationChange): Promise<WriteResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      // Memory first; after a lost race, the store (another instance may have written).
      const stored = attempt === 0 ? this.model.get(key) : await this.reread(key);
      if (stored && stored.owner !== owner) {
        throw failedPrecondition(`location ${locationKey(key)} belongs to ${stored.owner === 'OWN' ? 'one of our own parties' : 'a partner'}`);
      }
      const next = change(stored?.location);
      if (!next.changed || (stored && sameContent(stored.location, next.location))) {
        // Repairs a save whose event was lost (crash or Kafka failure right after the save).
        if (stored?.unpublished) await this.publish(stored, undefined);
        return { stored, changed: false };
      }
      const checked = locationSchema.safeParse(next.location);
      if (!checked.success) throw invalidArgument(`the location would become invalid: ${zodErrorMessage(checked.error)}`);
      const saved = await this.store.save({ ...key, owner, connection_id: connectionId, location: checked.data }, stored);
      if (!saved) continue; // another writer won (or the model was not the store's state): re-read and re-apply
      this.model.put(saved);
      await this.publish(saved, statusOnlyChanges(stored?.location, saved.location));
      return { stored: saved, changed: true };
    }
    throw unavailable(`location ${locationKey(key)} is changing too fast to write (${MAX_ATTEMPTS} attempts)`);
  }

  /**
   * Publishes a save whose event may be missing — the state stored now, under the object's
   * lock, so a repair never announces an older state after a newer one.
   */
  async republish(key: LocationKey): Promise<void> {
    await this.lock.run(locationKey(key), async () => {
      const current = await this.reread(key);
      if (current?.unpublished) await this.publish(current, undefined);
    });
  }

  /** Publishes the state of a save and clears its marker. */
  async publish(saved: StoredLocation, statusChanges: EvseStatusChange[] | undefined): Promise<void> {
    const event: locations.LocationChanged = {
      location: toProto(saved),
      statusChanges: (statusChanges ?? []).map((change) => ({ evseUid: change.evse_uid, status: change.status, lastUpdated: change.last_updated })),
      connectionId: saved.connection_id,
      revision: String(saved.rev),
    };
    await this.publisher.publish({
      topic: Topics.location,
      key: locationKey(saved),
      type: 'voltmesh.locations.v1.LocationChanged',
      value: locations.LocationChanged.encode(event).finish(),
      ...(saved.connection_id ? { partner: saved.connection_id } : {}),
    });
    this.model.published(saved);
    this.marks.push({ key: saved, rev: saved.rev });
    // A failure puts the markers back for the interval's next flush (which logs it).
    if (this.marks.length >= 500) void this.flushMarks().catch(() => undefined);
  }

  /**
   * Writes the publish markers gathered since the last call in one bulk write; run on an
   * interval and at stop. Failures are logged by the caller and retried by the next flush.
   */
  async flushMarks(): Promise<void> {
    const marks = this.marks.splice(0);
    try {
      // Under the objects' locks: FerretDB applies an update as read-then-replace of the whole
      // document, so a marker written beside a save of the same location could put back the
      // state before that save (a lost write; the chaos suite's stale EVSE statuses).
      await this.lock.runAll(marks.map((mark) => locationKey(mark.key)), () => this.store.markPublished(marks));
    } catch (error) {
      this.marks.unshift(...marks);
      throw error;
    }
  }

  /** The store's state, which the model takes whatever it held: the store is the truth. */
  private async reread(key: LocationKey): Promise<StoredLocation | undefined> {
    const stored = await this.store.get(key);
    if (stored) {
      const held = this.model.get(key);
      if (held && held.rev > stored.rev) this.logger?.warn({ location: locationKey(key), model_rev: held.rev, store_rev: stored.rev }, 'read model was ahead of the store; it takes the stored state');
      this.model.replace(stored);
    }
    return stored;
  }
}

export function toProto(stored: StoredLocation): locations.Location {
  return {
    party: { countryCode: stored.country_code, partyId: stored.party_id },
    id: stored.location_id,
    lastUpdated: stored.location.last_updated,
    owner: stored.owner === 'OWN' ? objects.Owner.OWNER_OWN : objects.Owner.OWNER_PARTNER,
    ocpiJson: JSON.stringify(stored.location),
  };
}
