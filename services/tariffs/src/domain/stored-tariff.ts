import type { Tariff } from '@voltmesh/ocpi';

export type Owner = 'OWN' | 'PARTNER';

export interface TariffKey {
  country_code: string;
  party_id: string;
  tariff_id: string;
}

/**
 * What the service keeps of one tariff: the OCPI object and, once deleted, the time of the
 * deletion (a tombstone). A tombstone keeps the last state so the deletion event can carry it.
 */
export interface TariffState {
  tariff: Tariff;
  /** Set once deleted: OCPI DateTime after which a PUT must be dated to bring the tariff back. */
  deleted_at?: string;
}

/** A tariff as stored: its state, whose it is, and its revision. */
export interface StoredTariff extends TariffKey, TariffState {
  owner: Owner;
  /** The partner connection that last wrote it; empty for our own. */
  connection_id: string;
  rev: number;
  unpublished: boolean;
}

/** The identity `CC*PTY*ID`, upper case: OCPI ids are compared case-insensitively. */
export function tariffKey(key: TariffKey): string {
  return `${key.country_code}*${key.party_id}*${key.tariff_id}`.toUpperCase();
}

export const isDeleted = (state: TariffState): boolean => state.deleted_at !== undefined;
