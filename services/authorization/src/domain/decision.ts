import type { DecidedBy } from './cpo-decision.js';
import type { AllowedType } from './own-decision.js';
import { partyKey, uidTypeKey, type TokenType } from './stored-token.js';

/** EMSP: our eMSP answered a partner CPO. CPO: our CSMS asked, as our CPO. */
export type DecisionRole = 'EMSP' | 'CPO';

/** One authorization decision, as the audit log keeps it. */
export interface DecisionRecord {
  /** Ours, unique (UUIDv7, time-ordered). */
  id: string;
  /** What the caller was told to copy into the session and CDR: ours, or the eMSP's when it gave one. */
  authorization_reference: string;
  /** The token's eMSP party; empty when we hold no such token. */
  country_code: string;
  party_id: string;
  uid: string;
  type: TokenType;
  allowed: AllowedType;
  decided_by: DecidedBy;
  role: DecisionRole;
  connection_id: string;
  location_id: string;
  evse_uids: string[];
  /** OCPI DateTime in our emitted form. */
  decided_at: string;
  duration_ms: number;
}

/** Decisions about one token (uid and type, optionally one eMSP party), newest first. */
export interface DecisionQuery {
  uidType: string;
  /** `CC*PID`; undefined: every party (and decisions on the uid when it was unknown). */
  party?: string;
  limit: number;
}

export function matchesQuery(record: DecisionRecord, query: DecisionQuery): boolean {
  if (uidTypeKey(record.uid, record.type) !== query.uidType) return false;
  return query.party === undefined || partyKey(record.country_code, record.party_id) === query.party;
}

/** Newest first; the id (UUIDv7, time-ordered) breaks ties within a millisecond. */
export function newestFirst(a: DecisionRecord, b: DecisionRecord): number {
  if (a.decided_at !== b.decided_at) return a.decided_at < b.decided_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
