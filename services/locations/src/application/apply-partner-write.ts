import { z } from 'zod';
import { invalidArgument } from '@voltmesh/errors';
import { connectorSchema, evseSchema, locationSchema, ocpiDateTime, zodErrorMessage, type Connector, type Evse, type Location } from '@voltmesh/ocpi';
import { locations, objects } from '@voltmesh/proto';
import { patchConnector, patchEvse, patchLocation, putConnector, putEvse, putLocation, type Patch } from '../domain/location-merge.js';
import type { LocationChange, LocationWriter, WriteResult } from './location-writer.js';

const patchBody = z.looseObject({ last_updated: ocpiDateTime });

/**
 * Applies a partner's location write from gateway.partner-location.v1. The gateway validated
 * it already; it is parsed again because a Kafka message is input like any other.
 */
export async function applyPartnerLocationWrite(writer: LocationWriter, write: locations.PartnerLocationWrite): Promise<WriteResult> {
  return applyPartnerLocationWrites(writer, [write]);
}

/**
 * Several writes of ONE location, in log order, applied as one change: one save and one event
 * for a burst of updates (the last connection that wrote is recorded).
 */
export async function applyPartnerLocationWrites(writer: LocationWriter, writes: locations.PartnerLocationWrite[]): Promise<WriteResult> {
  const last = writes.at(-1);
  if (!last) throw invalidArgument('no PartnerLocationWrite to apply');
  const key = keyOf(last);
  for (const write of writes) {
    if (locationWriteKey(write) !== locationWriteKey(last)) throw invalidArgument('PartnerLocationWrites of different locations cannot be applied as one');
  }
  return writer.write(key, 'PARTNER', last.connectionId, composeChanges(writes.map(changeOf)));
}

/** The identity of the location a write names (`CC*PTY*ID`, upper case). */
export function locationWriteKey(write: locations.PartnerLocationWrite): string {
  const key = keyOf(write);
  return `${key.country_code}*${key.party_id}*${key.location_id}`.toUpperCase();
}

function keyOf(write: locations.PartnerLocationWrite) {
  if (!write.party?.countryCode || !write.party.partyId || !write.locationId) throw invalidArgument('PartnerLocationWrite without party or location_id');
  if (!write.connectionId) throw invalidArgument('PartnerLocationWrite without connection_id');
  return { country_code: write.party.countryCode.toUpperCase(), party_id: write.party.partyId.toUpperCase(), location_id: write.locationId };
}

/** Changes applied one after the other to the same state; changed when any of them changed it. */
function composeChanges(changes: LocationChange[]): LocationChange {
  if (changes.length === 1) return changes[0]!;
  return (stored) => {
    let location = stored;
    let changed = false;
    for (const change of changes) {
      const next = change(location);
      location = next.location;
      changed ||= next.changed;
    }
    if (!location) throw invalidArgument('no change produced a location');
    return { location, changed };
  };
}

function changeOf(write: locations.PartnerLocationWrite): LocationChange {
  const body = parseJson(write.ocpiJson);
  const evseUid = write.evseUid;
  const connectorId = write.connectorId;
  switch (write.method) {
    case objects.WriteMethod.WRITE_METHOD_PUT: {
      if (connectorId) {
        const connector = parse(connectorSchema, body, 'connector');
        return (stored) => putConnector(stored, evseUid, connector);
      }
      if (evseUid) {
        const evse = parse(evseSchema, body, 'EVSE');
        return (stored) => putEvse(stored, evse);
      }
      const location = parse(locationSchema, body, 'location');
      return (stored) => putLocation(stored, location);
    }
    case objects.WriteMethod.WRITE_METHOD_PATCH: {
      // The gateway checked the patch's fields against the level's schema; the merged
      // result is checked again as a whole by the writer.
      const patch = parse(patchBody, body, 'patch');
      if (connectorId) return (stored) => patchConnector(stored, evseUid, connectorId, patch as Patch<Connector>);
      if (evseUid) return (stored) => patchEvse(stored, evseUid, patch as Patch<Evse>);
      return (stored) => patchLocation(stored, patch as Patch<Location>);
    }
    default:
      throw invalidArgument(`PartnerLocationWrite with unsupported method ${objects.writeMethodToJSON(write.method)}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidArgument('PartnerLocationWrite.ocpi_json is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidArgument(`PartnerLocationWrite ${what}: ${zodErrorMessage(parsed.error)}`);
  return parsed.data;
}
