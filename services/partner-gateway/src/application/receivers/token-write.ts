import { z } from 'zod';
import { invalidBody, ocpiDateTime, OcpiError, OcpiStatus, tokenSchema, tokenTypeSchema, type Token } from '@voltmesh/ocpi';
import type { Connection } from '../../domain/connection.js';
import { assertOwnParty, assertSameIds } from './party-scope.js';

/** Where a token Receiver write lands: `/{country_code}/{party_id}/{token_uid}?type={type}`. */
export interface TokenAddress {
  countryCode: string;
  partyId: string;
  uid: string;
  /** OCPI TokenType from the query; RFID when absent (the spec's default). */
  type: string;
}

export type TokenWrite = { method: 'PUT'; address: TokenAddress; object: Token } | { method: 'PATCH'; address: TokenAddress; patch: Record<string, unknown> & { last_updated: string } };

const tokenPatchSchema = z.object(tokenSchema.shape).partial().extend({ last_updated: ocpiDateTime });

/** The `type` query parameter: one of TokenType, RFID when absent. */
export const tokenTypeQuery = z.object({ type: tokenTypeSchema.optional().transform((type) => type ?? 'RFID') });

/**
 * Validates a partner eMSP's token PUT or PATCH before anything is published: its own party,
 * a whole valid Token on PUT (a partial one with last_updated on PATCH), and the same
 * country_code, party_id, uid and type in URL and body.
 */
export function parseTokenWrite(connection: Connection, method: 'PUT' | 'PATCH', address: TokenAddress, body: unknown): TokenWrite {
  assertOwnParty(connection, address.countryCode, address.partyId);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  const sent = body as Record<string, unknown>;
  const ids: Array<[string, string, unknown]> = [
    ['country_code', address.countryCode, sent['country_code']],
    ['party_id', address.partyId, sent['party_id']],
    ['uid', address.uid, sent['uid']],
    ['type', address.type, sent['type']],
  ];
  if (method === 'PATCH') {
    const parsed = tokenPatchSchema.safeParse(sent);
    if (!parsed.success) throw invalidBody(parsed.error);
    assertSameIds(ids);
    // Only what the partner sent: defaults must never overwrite stored values.
    const patch = Object.fromEntries(Object.entries(parsed.data).filter(([key, value]) => key in sent && value !== undefined));
    return { method, address, patch: { ...patch, last_updated: parsed.data.last_updated } };
  }
  const parsed = tokenSchema.safeParse(sent);
  if (!parsed.success) throw invalidBody(parsed.error);
  assertSameIds(ids);
  return { method, address, object: parsed.data };
}
