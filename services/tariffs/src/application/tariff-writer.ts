import { failedPrecondition, unavailable } from '@voltmesh/errors';
import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { KeyedLock } from '@voltmesh/mongo';
import { sameContent } from '@voltmesh/ocpi';
import { objects, tariffs } from '@voltmesh/proto';
import type { TariffStore } from '../adapters/tariff-store.js';
import { isDeleted, tariffKey, type Owner, type StoredTariff, type TariffKey } from '../domain/stored-tariff.js';
import type { TariffChange } from '../domain/tariff-change.js';

export interface WriteResult {
  /** The state after the write, tombstone included (undefined: the tariff was never stored). */
  stored: StoredTariff | undefined;
  changed: boolean;
}

const MAX_ATTEMPTS = 8;

/**
 * The one way tariffs change: read (tombstones included), apply a pure change, save if nobody
 * wrote meanwhile (else re-read and re-apply), then publish TariffChanged. A write that changes
 * nothing (replay, older last_updated, same content, deleting what is gone) saves and publishes
 * nothing, which makes every consumer and RPC on top of it idempotent.
 */
export class TariffWriter {
  constructor(
    private readonly store: TariffStore,
    private readonly publisher: EventPublisher,
  ) {}

  private readonly lock = new KeyedLock();

  /** Writers of one object take turns in this process (see KeyedLock: FerretDB's conditional updates race). */
  async write(key: TariffKey, owner: Owner, connectionId: string, change: TariffChange): Promise<WriteResult> {
    return this.lock.run(tariffKey(key), () => this.writeOnce(key, owner, connectionId, change));
  }

  private async writeOnce(key: TariffKey, owner: Owner, connectionId: string, change: TariffChange): Promise<WriteResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const stored = await this.store.getIncludingDeleted(key);
      if (stored && stored.owner !== owner) {
        throw failedPrecondition(`tariff ${tariffKey(key)} belongs to ${stored.owner === 'OWN' ? 'one of our own parties' : 'a partner'}`);
      }
      const next = change(stored);
      if (!next.changed || (stored && !isDeleted(stored) && !isDeleted(next.state) && sameContent(stored.tariff, next.state.tariff))) {
        // Repairs a save whose event was lost (crash or Kafka failure right after the save).
        if (stored?.unpublished) await this.publish(stored);
        return { stored, changed: false };
      }
      // No second validation: every change starts from a parsed Tariff (PUT) or the stored one (DELETE).
      const saved = await this.store.save({ ...key, ...next.state, owner, connection_id: connectionId }, stored);
      if (!saved) continue; // another writer won: re-read and re-apply
      await this.publish(saved);
      return { stored: saved, changed: true };
    }
    throw unavailable(`tariff ${tariffKey(key)} is changing too fast to write (${MAX_ATTEMPTS} attempts)`);
  }

  /**
   * Publishes a save whose event may be missing — the state stored now, under the object's
   * lock, so a repair never announces an older state after a newer one.
   */
  async republish(key: TariffKey): Promise<void> {
    await this.lock.run(tariffKey(key), async () => {
      const current = await this.store.getIncludingDeleted(key);
      if (current?.unpublished) await this.publish(current);
    });
  }

  /** Publishes the state of a save (a deletion with its last state) and clears its marker. */
  async publish(saved: StoredTariff): Promise<void> {
    const event: tariffs.TariffChanged = { tariff: toProto(saved), deleted: isDeleted(saved), connectionId: saved.connection_id };
    await this.publisher.publish({
      topic: Topics.tariff,
      key: tariffKey(saved),
      type: 'voltmesh.tariffs.v1.TariffChanged',
      value: tariffs.TariffChanged.encode(event).finish(),
      ...(saved.connection_id ? { partner: saved.connection_id } : {}),
    });
    await this.store.markPublished(saved, saved.rev);
  }
}

export function toProto(stored: StoredTariff): tariffs.Tariff {
  return {
    party: { countryCode: stored.country_code, partyId: stored.party_id },
    id: stored.tariff_id,
    lastUpdated: stored.tariff.last_updated,
    owner: stored.owner === 'OWN' ? objects.Owner.OWNER_OWN : objects.Owner.OWNER_PARTNER,
    ocpiJson: JSON.stringify(stored.tariff),
  };
}
