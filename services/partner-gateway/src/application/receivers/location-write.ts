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

const patchBody = z.looseObject({ last_updated: ocpiDateTime });

/**
 * Validates a partner's location PUT or PATCH before anything is published: the partner's own
 * party, a body of the type the URL depth names, the same ids in URL and body, and
 * `last_updated` on every PATCH. Errors are OCPI errors naming the field.
 */
export function parseLocationWrite(connection: Connection, method: 'PUT' | 'PATCH', address: LocationAddress, body: unknown): LocationWrite {
  assertOwnParty(connection, address.countryCode, address.partyId);
  const level = address.connectorId !== undefined ? 'connector' : address.evseUid !== undefined ? 'evse' : 'location';
  if (method === 'PATCH') {
    const parsed = patchBody.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error);
    checkIds(level, address, parsed.data);
    return { method, level, address, patch: parsed.data };
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
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  return parsed.data;
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
