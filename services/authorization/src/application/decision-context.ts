import { uuidv7 } from '@voltmesh/kafka';
import { tokenService } from '@voltmesh/proto';
import type { DecidedBy } from '../domain/cpo-decision.js';
import type { DecisionRecord } from '../domain/decision.js';
import type { KnownToken } from '../domain/stored-token.js';
import type { EmspAuthorizer } from '../adapters/emsp-authorizer.js';
import type { Party } from './request-input.js';

/** What both authorization use cases read and where they record. */
export interface AuthorizeDeps {
  tokens: { get(key: string): Promise<KnownToken | undefined>; findByUidType(uid: string, type: KnownToken['token']['type']): Promise<KnownToken[]> };
  decisions: { record(decision: DecisionRecord): void };
  /** Our eMSP parties, in configuration order. */
  emspParties: readonly Party[];
  /** Our CPO parties, in configuration order (the first is the default). */
  cpoParties: readonly Party[];
  emsp: EmspAuthorizer;
  now: () => Date;
}

/** A new decision's id, and our authorization_reference: a UUIDv7 (36 characters, time-ordered), upper case as CiStrings are. */
export const newDecisionId = (): string => uuidv7().toUpperCase();

/** Milliseconds since `started` (performance.now()), for the audit log. */
export const elapsedMs = (started: number): number => Math.max(0, Math.round(performance.now() - started));

const DECIDED_BY: Record<DecidedBy, tokenService.DecidedBy> = {
  LOCAL: tokenService.DecidedBy.DECIDED_BY_LOCAL,
  EMSP: tokenService.DecidedBy.DECIDED_BY_EMSP,
  FALLBACK: tokenService.DecidedBy.DECIDED_BY_FALLBACK,
  UNKNOWN_TOKEN: tokenService.DecidedBy.DECIDED_BY_UNKNOWN_TOKEN,
  OWN_EMSP: tokenService.DecidedBy.DECIDED_BY_OWN_EMSP,
};

export const decidedByToProto = (decidedBy: DecidedBy): tokenService.DecidedBy => DECIDED_BY[decidedBy];
