import type { Token } from '@voltmesh/ocpi';

export type Owner = 'OWN' | 'PARTNER';

export type TokenType = Token['type'];

/** What identifies a token: its eMSP party, uid and type (OCPI: unique by uid+type within a party). */
export interface TokenKey {
  country_code: string;
  party_id: string;
  uid: string;
  type: TokenType;
}

/**
 * What we know about one of our own drivers' tokens beyond the OCPI object: the rules our eMSP
 * applies when a CPO asks to authorize it. Never sent to partners.
 */
export interface TokenAccount {
  /** OCPI DateTime in our emitted form; after it the token is EXPIRED. */
  valid_until?: string;
  no_credit: boolean;
  /** `CC*PID`, upper case; empty allows every CPO. */
  allowed_cpo_parties: string[];
}

/** The state a write changes: the OCPI token and, for our own tokens, the account rules. */
export interface TokenState {
  token: Token;
  account?: TokenAccount;
}

/** A token as decisions read it (the cache holds these): its state and whose it is. */
export interface KnownToken extends TokenState {
  owner: Owner;
  /** The partner connection that pushed it; empty for our own. */
  connection_id: string;
}

/** A token as stored: plus its revision and the publish marker. */
export interface StoredToken extends KnownToken {
  rev: number;
  unpublished: boolean;
}

/**
 * The identity `CC*PID*UID*TYPE`, upper case (ids are CiStrings, compared case-insensitively).
 * Unambiguous although a uid may contain `*`: party codes have fixed lengths and types none.
 */
export function tokenKey(key: TokenKey): string {
  return `${key.country_code}*${key.party_id}*${key.uid}*${key.type}`.toUpperCase();
}

/** `UID*TYPE`: how a charger, which does not know the eMSP, finds a token. */
export function uidTypeKey(uid: string, type: TokenType): string {
  return `${uid}*${type}`.toUpperCase();
}

export function partyKey(countryCode: string, partyId: string): string {
  return `${countryCode}*${partyId}`.toUpperCase();
}

export const keyOfToken = (token: Token): TokenKey => ({ country_code: token.country_code, party_id: token.party_id, uid: token.uid, type: token.type });
