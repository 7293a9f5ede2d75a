import type { Location } from '@voltmesh/ocpi';

/** Reads a location to embed or consult: a 2.1.1 Session embeds its Location, a CDR's connector needs its rating. */
export interface LocationLookup {
  get(countryCode: string, partyId: string, id: string): Promise<Location | undefined>;
}

type LocationRef = { countryCode: string; partyId: string; id: string };

/** The locations a page of objects is at, each read once; returns the lookup per object. */
export async function pageLocations<T>(lookup: LocationLookup, items: readonly T[], refOf: (item: T) => LocationRef): Promise<(item: T) => Location | undefined> {
  const keyOf = (ref: LocationRef) => `${ref.countryCode}*${ref.partyId}*${ref.id}`.toUpperCase();
  const refs = new Map(items.map((item) => [keyOf(refOf(item)), refOf(item)]));
  const found = new Map(await Promise.all([...refs].map(async ([key, ref]) => [key, await lookup.get(ref.countryCode, ref.partyId, ref.id)] as const)));
  return (item) => found.get(keyOf(refOf(item)));
}
