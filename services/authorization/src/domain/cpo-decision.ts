import type { AuthorizationInfo, LocationReferences, Token } from '@voltmesh/ocpi';
import type { AllowedType, DisplayText } from './own-decision.js';

/** What asking a token's eMSP in real time came to. */
export type EmspOutcome =
  | { kind: 'ANSWERED'; info: AuthorizationInfo }
  /** The eMSP says it does not know the token (OCPI 2004). */
  | { kind: 'UNKNOWN_TOKEN' }
  /** No usable answer: unreachable, no endpoint, refused, timed out, or an invalid body. */
  | { kind: 'NO_ANSWER'; reason: string };

export type DecidedBy = 'LOCAL' | 'EMSP' | 'FALLBACK' | 'UNKNOWN_TOKEN' | 'OWN_EMSP';

export interface CpoDecision {
  allowed: AllowedType;
  decidedBy: DecidedBy;
  /** From the eMSP's answer, when it gave them. */
  reference?: string;
  info?: DisplayText;
  location?: LocationReferences;
  /** The token as the eMSP sent it back. */
  token?: Token;
}

/** Whether a partner's token must be authorized in real time: every whitelist but ALWAYS (OCPI 2.2.1 §9). */
export const asksEmsp = (token: Token): boolean => token.whitelist !== 'ALWAYS';

/**
 * Our CPO's decision on a partner eMSP's token, given what asking its eMSP came to
 * (`undefined`: not asked, whitelist ALWAYS):
 *
 * | whitelist        | eMSP answered       | eMSP unknown token  | no answer                      |
 * |------------------|---------------------|---------------------|--------------------------------|
 * | ALWAYS           | (never asked: local: valid ? ALLOWED : BLOCKED, LOCAL)                     |
 * | ALLOWED          | its answer, EMSP    | NOT_ALLOWED, EMSP   | local, FALLBACK                |
 * | ALLOWED_OFFLINE  | its answer, EMSP    | NOT_ALLOWED, EMSP   | local, FALLBACK                |
 * | NEVER            | its answer, EMSP    | NOT_ALLOWED, EMSP   | NOT_ALLOWED, FALLBACK          |
 *
 * "local" is the token we hold: valid → ALLOWED, else BLOCKED. ALLOWED_OFFLINE is whitelisted
 * while the eMSP is offline, so a valid token charges; one the eMSP marked valid=false stays
 * BLOCKED (whitelisting means trusting the list we hold, and it says blocked).
 */
export function decidePartnerToken(token: Token, outcome: EmspOutcome | undefined): CpoDecision {
  const local: AllowedType = token.valid ? 'ALLOWED' : 'BLOCKED';
  if (outcome === undefined) return { allowed: local, decidedBy: asksEmsp(token) ? 'FALLBACK' : 'LOCAL' };
  switch (outcome.kind) {
    case 'ANSWERED': {
      const { info } = outcome;
      return {
        allowed: info.allowed,
        decidedBy: 'EMSP',
        token: info.token,
        ...(info.authorization_reference ? { reference: info.authorization_reference } : {}),
        ...(info.info ? { info: info.info } : {}),
        ...(info.location ? { location: info.location } : {}),
      };
    }
    case 'UNKNOWN_TOKEN':
      return { allowed: 'NOT_ALLOWED', decidedBy: 'EMSP' };
    case 'NO_ANSWER':
      return { allowed: fallback(token, local), decidedBy: 'FALLBACK' };
  }
}

function fallback(token: Token, local: AllowedType): AllowedType {
  switch (token.whitelist) {
    case 'ALWAYS':
    case 'ALLOWED':
    case 'ALLOWED_OFFLINE':
      return local;
    case 'NEVER':
      return 'NOT_ALLOWED';
  }
}

/**
 * Which token a charger's uid+type means when several eMSPs issued one with it (rare for RFID):
 * our own eMSP's first, then a valid one, then the most recently updated.
 */
export function chooseToken<T extends { owner: 'OWN' | 'PARTNER'; token: Token }>(candidates: readonly T[]): T | undefined {
  const rank = (candidate: T): number => (candidate.owner === 'OWN' ? 2 : 0) + (candidate.token.valid ? 1 : 0);
  let best: T | undefined;
  for (const candidate of candidates) {
    if (!best || rank(candidate) > rank(best) || (rank(candidate) === rank(best) && candidate.token.last_updated > best.token.last_updated)) best = candidate;
  }
  return best;
}
