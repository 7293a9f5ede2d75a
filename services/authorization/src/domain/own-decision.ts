import type { AuthorizationInfo } from '@voltmesh/ocpi';
import type { TokenState } from './stored-token.js';

export type AllowedType = AuthorizationInfo['allowed'];
export type DisplayText = NonNullable<AuthorizationInfo['info']>;

/**
 * Our eMSP's answer for one of its own tokens, first rule that applies:
 * valid=false → BLOCKED; account.valid_until passed → EXPIRED; account.no_credit → NO_CREDIT;
 * account.allowed_cpo_parties set and the asking CPO (`CC*PID`) not in it → NOT_ALLOWED
 * (also when the CPO is not known: the rule cannot be satisfied); else ALLOWED.
 */
export function decideOwnToken(state: TokenState, requester: string | undefined, now: Date): AllowedType {
  if (!state.token.valid) return 'BLOCKED';
  const account = state.account;
  if (account?.valid_until !== undefined && Date.parse(account.valid_until) <= now.getTime()) return 'EXPIRED';
  if (account?.no_credit) return 'NO_CREDIT';
  if (account && account.allowed_cpo_parties.length > 0 && (!requester || !account.allowed_cpo_parties.includes(requester.toUpperCase()))) return 'NOT_ALLOWED';
  return 'ALLOWED';
}

const REASONS: Record<Exclude<AllowedType, 'ALLOWED'>, string> = {
  BLOCKED: 'This charging card is blocked.',
  EXPIRED: 'This charging card has expired.',
  NO_CREDIT: 'There is no credit left on this contract.',
  NOT_ALLOWED: 'This charging card cannot be used here.',
};

/** What the driver is told when we refuse one of our tokens; nothing when allowed. */
export function displayTextFor(allowed: AllowedType): DisplayText | undefined {
  return allowed === 'ALLOWED' ? undefined : { language: 'en', text: REASONS[allowed] };
}
