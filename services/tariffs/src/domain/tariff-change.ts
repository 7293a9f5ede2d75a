import type { Tariff } from '@voltmesh/ocpi';
import type { TariffState } from './stored-tariff.js';

/**
 * How writes change a stored tariff (OCPI 2.2.1 §11), as pure functions:
 * - a PUT replaces the whole tariff unless it is older (by `last_updated`) than what is stored,
 *   so replays and out-of-order events are harmless;
 * - a DELETE leaves a tombstone dated max(deletion time, last stored `last_updated`); only a PUT
 *   dated strictly after it brings the tariff back, so a late replay of an older PUT cannot
 *   resurrect a deleted tariff.
 * Timestamps are normalised by the OCPI schema (YYYY-MM-DDTHH:MM:SS.sssZ), so they compare as strings.
 */
export type TariffChangeResult = { changed: false } | { changed: true; state: TariffState };

export type TariffChange = (stored: TariffState | undefined) => TariffChangeResult;

const unchanged: TariffChangeResult = { changed: false };

export function putTariff(stored: TariffState | undefined, incoming: Tariff): TariffChangeResult {
  if (stored?.deleted_at !== undefined) {
    return incoming.last_updated > stored.deleted_at ? { changed: true, state: { tariff: incoming } } : unchanged;
  }
  if (stored && incoming.last_updated < stored.tariff.last_updated) return unchanged;
  return { changed: true, state: { tariff: incoming } };
}

/** `at`: when the deletion was accepted, OCPI DateTime in our emitted form. */
export function deleteTariff(stored: TariffState | undefined, at: string): TariffChangeResult {
  // Nothing to delete, or deleted already (a replay): nothing changes.
  if (!stored || stored.deleted_at !== undefined) return unchanged;
  const deletedAt = at > stored.tariff.last_updated ? at : stored.tariff.last_updated;
  return { changed: true, state: { tariff: stored.tariff, deleted_at: deletedAt } };
}
