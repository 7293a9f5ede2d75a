import { z } from 'zod';
import { connectorSchema, evseSchema, invalidBody, locationSchema, ocpiDateTime, OcpiError, OcpiStatus, type Connector, type Evse, type Location } from '@voltmesh/ocpi';
import type { Connection } from '../../domain/connection.js';
import { assertOwnParty, assertSameIds } from './party-scope.js';

/** Where a Receiver write lands: `/{country_code}/{party_id}/{location_id}[/{evse_uid}[/{connector_id}]]`. */
export interface LocationAddress {
  countryCode: string;
  partyId: string;
  locationId: string;
  evseUid?: string;
  connectorId?: string;
}

export type LocationWrite =
  | { method: 'PUT'; level: 'location'; address: LocationAddress; object: Location }
  | { method: 'PUT'; level: 'evse'; address: LocationAddress; object: Evse }
  | { method: 'PUT'; level: 'connector'; address: LocationAddress; object: Connector }
  | { method: 'PATCH'; level: 'location' | 'evse' | 'connector'; address: LocationAddress; patch: Record<string, unknown> & { last_updated: string } };

// PATCH bodies: any subset of the level's fields, each checked like in a PUT. Nested EVSEs and
// connectors are matched by uid/id, so those stay required; a nested object without its own
// last_updated takes the patch's.
const connectorPatch = connectorSchema.partial().extend({ id: connectorSchema.shape.id });
const evsePatch = evseSchema.partial().extend({ uid: evseSchema.shape.uid, connectors: z.array(connectorPatch).optional() });
const patchSchemas = {
  connector: connectorSchema.partial().extend({ last_updated: ocpiDateTime }),
  evse: evseSchema.partial().extend({ connectors: z.array(connectorPatch).optional(), last_updated: ocpiDateTime }),
  location: z.object(locationSchema.shape).partial().extend({ evses: z.array(evsePatch).optional(), last_updated: ocpiDateTime }),
} as const;

/**
 * Validates a partner's location PUT or PATCH before anything is published: the partner's own
 * party, a body of the type the URL depth names, the same ids in URL and body, and
 * `last_updated` on every PATCH. Errors are OCPI errors naming the field.
 */
export function parseLocationWrite(connection: Connection, method: 'PUT' | 'PATCH', address: LocationAddress, body: unknown): LocationWrite {
  assertOwnParty(connection, address.countryCode, address.partyId);
  const level = address.connectorId !== undefined ? 'connector' : address.evseUid !== undefined ? 'evse' : 'location';
  if (method === 'PATCH') {
    const patch = parsePatch(level, body);
    checkIds(level, address, patch);
    return { method, level, address, patch };
  }
  switch (level) {
    case 'location': {
      const object = parse(locationSchema, body);
      checkIds(level, address, object);
      return { method, level, address, object };
    }
    case 'evse': {
      const object = parse(evseSchema, body);
      checkIds(level, address, object);
      return { method, level, address, object };
    }
    case 'connector': {
      const object = parse(connectorSchema, body);
      checkIds(level, address, object);
      return { method, level, address, object };
    }
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(requireObject(body));
  if (!parsed.success) throw invalidBody(parsed.error);
  return parsed.data;
}

function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A PATCH body checked against its level's fields, reduced to what the partner sent. */
function parsePatch(level: LocationWrite['level'], body: unknown): Record<string, unknown> & { last_updated: string } {
  const sent = requireObject(body);
  const parsed = patchSchemas[level].safeParse(sent);
  if (!parsed.success) throw invalidBody(parsed.error);
  return keepSent(parsed.data, sent, parsed.data.last_updated) as Record<string, unknown> & { last_updated: string };
}

/**
 * The parsed (normalised) values of only the keys the partner sent, recursively through
 * `evses` and `connectors`: schema defaults such as empty lists must never overwrite stored
 * values. A nested object without last_updated takes the patch's.
 */
function keepSent(parsed: Record<string, unknown>, sent: Record<string, unknown>, lastUpdated: string): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in sent) || value === undefined) continue;
    const sentItems = sent[key];
    kept[key] =
      (key === 'evses' || key === 'connectors') && Array.isArray(value) && Array.isArray(sentItems)
        ? value.map((item: Record<string, unknown>, index) => keepSent(item, (sentItems[index] ?? {}) as Record<string, unknown>, lastUpdated))
        : value;
  }
  kept['last_updated'] ??= lastUpdated;
  return kept;
}
function checkIds(level: LocationWrite['level'], address: LocationAddress, body: Record<string, unknown>): void {
  if (level === 'location') {
    assertSameIds([
      ['country_code', address.countryCode, body['country_code']],
      ['party_id', address.partyId, body['party_id']],
      ['id', address.locationId, body['id']],
    ]);
  } else if (level === 'evse') {
    assertSameIds([['uid', address.evseUid ?? '', body['uid']]]);
  } else {
    assertSameIds([['id', address.connectorId ?? '', body['id']]]);
  }
}
