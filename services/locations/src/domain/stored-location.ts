import type { Location } from '@voltmesh/ocpi';

export type Owner = 'OWN' | 'PARTNER';

export interface LocationKey {
  country_code: string;
  party_id: string;
  location_id: string;
}

/** A location as the service keeps it: the OCPI object, whose it is, and its revision. */
export interface StoredLocation extends LocationKey {
  owner: Owner;
  /** The partner connection that last wrote it; empty for our own. */
  connection_id: string;
  location: Location;
  rev: number;
  unpublished: boolean;
}

/** The identity `CC*PTY*ID`, upper case: OCPI ids are compared case-insensitively. */
export function locationKey(key: LocationKey): string {
  return `${key.country_code}*${key.party_id}*${key.location_id}`.toUpperCase();
}
