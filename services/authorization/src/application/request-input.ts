import { invalidArgument } from '@voltmesh/errors';
import { locationReferencesSchema, tokenSchema, tokenTypeSchema, zodErrorMessage, type LocationReferences, type Token, parseJsonText } from '@voltmesh/ocpi';
import type { tokenService } from '@voltmesh/proto';
import type { TokenPatch } from '../domain/token-change.js';
import type { TokenKey, TokenType } from '../domain/stored-token.js';

/** Readers of request fields: each checks one field and names it when it refuses. */

/** OCPI TokenType; empty means RFID (as in OCPI URLs); any case. */
export function readTokenType(value: string, field: string): TokenType {
  if (!value) return 'RFID';
  const parsed = tokenTypeSchema.safeParse(value.toUpperCase());
  if (!parsed.success) throw invalidArgument(`${field}: must be one of ${tokenTypeSchema.options.join(', ')}`);
  return parsed.data;
}

/** A token uid (CiString(36)), upper case. */
export function readUid(value: string, field: string): string {
  if (!value) throw invalidArgument(`${field}: required`);
  if (value.length > 36 || !/^[\x20-\x7e]+$/.test(value)) throw invalidArgument(`${field}: must be 1 to 36 printable ASCII characters`);
  return value.toUpperCase();
}

export interface Party {
  country_code: string;
  party_id: string;
}

/** A PartyRef, upper case; undefined when not given. */
export function readParty(party: { countryCode: string; partyId: string } | undefined, field: string): Party | undefined {
  if (!party || (!party.countryCode && !party.partyId)) return undefined;
  const countryCode = party.countryCode.toUpperCase();
  const partyId = party.partyId.toUpperCase();
  if (!/^[A-Z]{2}$/.test(countryCode)) throw invalidArgument(`${field}.country_code: must be 2 letters`);
  if (!/^[A-Z0-9]{3}$/.test(partyId)) throw invalidArgument(`${field}.party_id: must be 3 letters or digits`);
  return { country_code: countryCode, party_id: partyId };
}

/** A TokenRef naming one token: party, uid and type (empty = RFID). */
export function readTokenKey(ref: tokenService.TokenRef | undefined, field = 'token'): TokenKey {
  if (!ref) throw invalidArgument(`${field}: required`);
  const party = readParty(ref.party, `${field}.party`);
  if (!party) throw invalidArgument(`${field}.party: required`);
  return { ...party, uid: readUid(ref.uid, `${field}.uid`), type: readTokenType(ref.type, `${field}.type`) };
}

/** A whole OCPI Token from JSON. */
export function readToken(text: string, field: string): Token {
  const parsed = tokenSchema.safeParse(parseJsonText(text, field));
  if (!parsed.success) throw invalidArgument(`${field}: ${zodErrorMessage(parsed.error)}`);
  return parsed.data;
}

const tokenPatchSchema = tokenSchema.partial();

/** A partial OCPI Token from JSON: only the fields it names (null reads as absent: a PATCH cannot remove data). */
export function readTokenPatch(text: string, field: string): TokenPatch {
  const parsed = tokenPatchSchema.safeParse(parseJsonText(text, field));
  if (!parsed.success) throw invalidArgument(`${field}: ${zodErrorMessage(parsed.error)}`);
  const patch: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed.data)) if (value !== undefined) patch[name] = value;
  return patch as TokenPatch;
}

/** Optional OCPI LocationReferences from JSON; empty text means none. */
export function readLocationReferences(text: string, field: string): LocationReferences | undefined {
  if (!text) return undefined;
  const parsed = locationReferencesSchema.safeParse(parseJsonText(text, field));
  if (!parsed.success) throw invalidArgument(`${field}: ${zodErrorMessage(parsed.error)}`);
  return parsed.data;
}
