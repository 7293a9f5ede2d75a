import type { z } from 'zod';
import { invalidArgument, notFound } from '@voltmesh/errors';
import { connectorSchema, evseSchema, zodErrorMessage, type Connector, type Evse, type Location } from '@voltmesh/ocpi';

/**
 * How partner writes change a stored location (OCPI 2.2.1 §5 and §2.8), as pure functions:
 * - a write older than what is stored (by `last_updated`) changes nothing, so replays and
 *   out-of-order events are harmless;
 * - PATCH merges: EVSEs by `uid` and connectors by `id`, never dropping what it did not name;
 * - a child's change moves its parents' `last_updated` forward (never back).
 */
export interface MergeResult {
  location: Location;
  changed: boolean;
}

/** A PATCH body: any subset of fields, `last_updated` required (checked at the edge). */
export type Patch<T> = Partial<Omit<T, 'last_updated'>> & { last_updated: string } & Record<string, unknown>;

// Timestamps are normalised by the OCPI schemas (YYYY-MM-DDTHH:MM:SS.sssZ), so they compare as strings.
const isStale = (incoming: string, stored: string | undefined): boolean => stored !== undefined && incoming < stored;
const latest = (a: string, b: string): string => (a > b ? a : b);
const unchanged = (location: Location): MergeResult => ({ location, changed: false });

export function putLocation(stored: Location | undefined, incoming: Location): MergeResult {
  if (stored && isStale(incoming.last_updated, stored.last_updated)) return unchanged(stored);
  return { location: incoming, changed: true };
}

export function putEvse(stored: Location | undefined, evse: Evse): MergeResult {
  const location = requireLocation(stored);
  const existing = location.evses.find((candidate) => sameId(candidate.uid, evse.uid));
  if (isStale(evse.last_updated, existing?.last_updated)) return unchanged(location);
  return { location: withEvse(location, evse), changed: true };
}

export function putConnector(stored: Location | undefined, evseUid: string, connector: Connector): MergeResult {
  const location = requireLocation(stored);
  const evse = requireEvse(location, evseUid);
  const existing = evse.connectors.find((candidate) => sameId(candidate.id, connector.id));
  if (isStale(connector.last_updated, existing?.last_updated)) return unchanged(location);
  return { location: withEvse(location, withConnector(evse, connector)), changed: true };
}

export function patchLocation(stored: Location | undefined, patch: Patch<Location>): MergeResult {
  const location = requireLocation(stored);
  if (isStale(patch.last_updated, location.last_updated)) return unchanged(location);
  const { evses, ...fields } = patch;
  let merged: Location = { ...location, ...(fields as Partial<Location>), last_updated: latest(location.last_updated, patch.last_updated) };
  for (const evsePatch of (evses ?? []) as Patch<Evse>[]) {
    merged = withEvse(merged, mergeEvse(merged.evses.find((candidate) => sameId(candidate.uid, String(evsePatch.uid))), evsePatch));
  }
  return { location: merged, changed: true };
}

export function patchEvse(stored: Location | undefined, evseUid: string, patch: Patch<Evse>): MergeResult {
  const location = requireLocation(stored);
  const evse = requireEvse(location, evseUid);
  if (isStale(patch.last_updated, evse.last_updated)) return unchanged(location);
  return { location: withEvse(location, mergeEvse(evse, { ...patch, uid: evse.uid })), changed: true };
}

export function patchConnector(stored: Location | undefined, evseUid: string, connectorId: string, patch: Patch<Connector>): MergeResult {
  const location = requireLocation(stored);
  const evse = requireEvse(location, evseUid);
  const connector = evse.connectors.find((candidate) => sameId(candidate.id, connectorId));
  if (!connector) throw notFound(`unknown connector ${connectorId} on EVSE ${evseUid}`);
  if (isStale(patch.last_updated, connector.last_updated)) return unchanged(location);
  const merged = { ...connector, ...(patch as Partial<Connector>), id: connector.id, last_updated: latest(connector.last_updated, patch.last_updated) };
  return { location: withEvse(location, withConnector(evse, merged)), changed: true };
}

/** Merges a patch into an EVSE, or creates it when the patch is a complete EVSE. */
function mergeEvse(existing: Evse | undefined, patch: Patch<Evse>): Evse {
  if (!existing) return complete(evseSchema, patch, `evses: new EVSE ${String(patch.uid)}`);
  if (isStale(patch.last_updated, existing.last_updated)) return existing;
  const { connectors, ...fields } = patch;
  let merged: Evse = { ...existing, ...(fields as Partial<Evse>), uid: existing.uid, last_updated: latest(existing.last_updated, patch.last_updated) };
  for (const connectorPatch of (connectors ?? []) as Patch<Connector>[]) {
    const current = merged.connectors.find((candidate) => sameId(candidate.id, String(connectorPatch.id)));
    const next = current
      ? isStale(connectorPatch.last_updated, current.last_updated)
        ? current
        : { ...current, ...(connectorPatch as Partial<Connector>), id: current.id, last_updated: latest(current.last_updated, connectorPatch.last_updated) }
      : complete(connectorSchema, connectorPatch, `connectors: new connector ${String(connectorPatch.id)}`);
    merged = withConnector(merged, next);
  }
  return merged;
}

/** A child created through a PATCH must be a whole object: a half one would be silently incomplete. */
function complete<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidArgument(`${what} is incomplete: ${zodErrorMessage(parsed.error)}`);
  return parsed.data;
}

function withEvse(location: Location, evse: Evse): Location {
  const index = location.evses.findIndex((candidate) => sameId(candidate.uid, evse.uid));
  const evses = index === -1 ? [...location.evses, evse] : location.evses.map((candidate, at) => (at === index ? evse : candidate));
  return { ...location, evses, last_updated: latest(location.last_updated, evse.last_updated) };
}

function withConnector(evse: Evse, connector: Connector): Evse {
  const index = evse.connectors.findIndex((candidate) => sameId(candidate.id, connector.id));
  const connectors = index === -1 ? [...evse.connectors, connector] : evse.connectors.map((candidate, at) => (at === index ? connector : candidate));
  return { ...evse, connectors, last_updated: latest(evse.last_updated, connector.last_updated) };
}

function requireLocation(stored: Location | undefined): Location {
  // OCPI 2003-style: a child write or a PATCH never creates half a location.
  if (!stored) throw notFound('unknown location');
  return stored;
}

function requireEvse(location: Location, evseUid: string): Evse {
  const evse = location.evses.find((candidate) => sameId(candidate.uid, evseUid));
  if (!evse) throw notFound(`unknown EVSE ${evseUid} in location ${location.id}`);
  return evse;
}

/** Ids are CiStrings: compared case-insensitively. */
const sameId = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase();
