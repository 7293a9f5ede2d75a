import { invalidBody, OcpiError, OcpiStatus, tariffSchema, type Tariff } from '@voltmesh/ocpi';
import type { Connection } from '../../domain/connection.js';
import { assertOwnParty, assertSameIds } from './party-scope.js';

/** Where a tariff Receiver write lands: `/{country_code}/{party_id}/{tariff_id}`. */
export interface TariffAddress {
  countryCode: string;
  partyId: string;
  tariffId: string;
}

export type TariffWrite = { method: 'PUT'; address: TariffAddress; object: Tariff } | { method: 'DELETE'; address: TariffAddress };

/**
 * Validates a partner's tariff PUT or DELETE before anything is published: the partner's own
 * party, a whole valid Tariff on PUT, the same ids in URL and body.
 */
export function parseTariffWrite(connection: Connection, method: 'PUT' | 'DELETE', address: TariffAddress, body?: unknown): TariffWrite {
  assertOwnParty(connection, address.countryCode, address.partyId);
  if (method === 'DELETE') return { method, address };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  const parsed = tariffSchema.safeParse(body);
  if (!parsed.success) throw invalidBody(parsed.error);
  assertSameIds([
    ['country_code', address.countryCode, parsed.data.country_code],
    ['party_id', address.partyId, parsed.data.party_id],
    ['id', address.tariffId, parsed.data.id],
  ]);
  return { method, address, object: parsed.data };
}
