import { invalidArgument, notFound } from '@voltmesh/errors';
import { formatOcpiDateTime, sameContent, tokenSchema, zodErrorMessage, type Token } from '@voltmesh/ocpi';
import { tokenKey, type TokenAccount, type TokenState } from './stored-token.js';

/**
 * How writes change a stored token, as pure functions (OCPI 2.2.1 §9 and §2.8):
 * - a PUT replaces the token unless it is older (by `last_updated`) than the stored one;
 * - a PATCH merges the fields it names into the stored token; it must carry `last_updated`,
 *   an older one changes nothing, and the result must still be a valid token;
 * - our own updates (UpdateToken, BlockToken) merge too and date the result now.
 * A result equal to what is stored is "unchanged": no save, no event. Timestamps are in the
 * schema's normalised form (YYYY-MM-DDTHH:MM:SS.sssZ), so they compare as strings.
 */
export type TokenChangeResult = { changed: false } | { changed: true; state: TokenState };

export type TokenChange = (stored: TokenState | undefined) => TokenChangeResult;

/** A parsed partial Token: only the fields it names (never `undefined` values). */
export type TokenPatch = Partial<Token>;

/** Replaces the account rules, or (undefined) keeps the stored ones. */
export type AccountChange = TokenAccount | undefined;

const unchanged: TokenChangeResult = { changed: false };

const IDENTITY = ['country_code', 'party_id', 'uid', 'type'] as const;

export function putToken(stored: TokenState | undefined, incoming: Token, account: AccountChange = undefined): TokenChangeResult {
  if (stored && incoming.last_updated < stored.token.last_updated) return unchanged;
  return changedUnlessSame(stored, withAccount(incoming, account ?? stored?.account));
}

/** A partner's PATCH. Its identity comes from the stored token; naming another identity is refused. */
export function patchToken(stored: TokenState | undefined, patch: TokenPatch): TokenChangeResult {
  if (!stored) throw invalidArgument('PATCH of a token that is not stored: PUT it first');
  if (!patch.last_updated) throw invalidArgument('last_updated: required in a PATCH');
  if (patch.last_updated < stored.token.last_updated) return unchanged;
  return changedUnlessSame(stored, withAccount(merge(stored.token, patch), stored.account));
}

/**
 * Our own change (fields and/or account rules). `last_updated` is ours to set: now, and always
 * after the stored one, so every change of our token is newer than the one before (replicas keep
 * the newest by it).
 */
export function updateOwnToken(stored: TokenState | undefined, patch: TokenPatch, account: AccountChange, now: Date): TokenChangeResult {
  if (!stored) throw notFound('unknown token');
  const fields = { ...patch };
  delete fields.last_updated;
  const next = withAccount(merge(stored.token, { ...fields, last_updated: stored.token.last_updated }), account ?? stored.account);
  if (sameState(stored, next)) return unchanged;
  return { changed: true, state: { ...next, token: { ...next.token, last_updated: laterThan(stored.token.last_updated, now) } } };
}

export function blockToken(stored: TokenState | undefined, now: Date): TokenChangeResult {
  return updateOwnToken(stored, { valid: false }, undefined, now);
}

/** The stored token with the patch's fields; the result is validated as a whole token. */
export function merge(token: Token, patch: TokenPatch): Token {
  for (const field of IDENTITY) {
    const value = patch[field];
    if (value !== undefined && value.toUpperCase() !== token[field].toUpperCase()) {
      throw invalidArgument(`${field}: a PATCH cannot change a token's identity (${tokenKey(token)})`);
    }
  }
  const merged: Record<string, unknown> = { ...token };
  for (const [field, value] of Object.entries(patch)) if (value !== undefined) merged[field] = value;
  const checked = tokenSchema.safeParse(merged);
  if (!checked.success) throw invalidArgument(`the token would become invalid: ${zodErrorMessage(checked.error)}`);
  return checked.data;
}

export function sameState(a: TokenState, b: TokenState): boolean {
  return sameContent(a.token, b.token) && sameContent(a.account ?? null, b.account ?? null);
}

function changedUnlessSame(stored: TokenState | undefined, next: TokenState): TokenChangeResult {
  return stored && sameState(stored, next) ? unchanged : { changed: true, state: next };
}

const withAccount = (token: Token, account: TokenAccount | undefined): TokenState => (account ? { token, account } : { token });

/** `now`, or 1 ms after `previous` when the clock has not moved past it. */
function laterThan(previous: string, now: Date): string {
  const after = Date.parse(previous) + 1;
  return formatOcpiDateTime(now.getTime() >= after ? now : new Date(after));
}
