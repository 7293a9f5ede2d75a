import { z } from 'zod';
import { checkPeriodOrder, invalidBody, OcpiError, OcpiStatus, sessionPatchSchema, sessionSchema, type CdrToken, type Session, type SessionPatch } from '@voltmesh/ocpi';
import type { Party, SessionRole, StoredSession } from '../../adapters/sessions-client.js';
import type { StoredToken } from '../../adapters/tokens-client.js';
import { partyKey } from '../../domain/connection.js';
import type { Caller } from '../partner-registers.js';
import { findWritten, type WrittenLookup } from './find-written.js';
import { assertOwnParty, assertSameIds } from './party-scope.js';

/** Where a session Receiver write lands: `/{country_code}/{party_id}/{session_id}` (the CPO's party). */
export interface SessionAddress {
  countryCode: string;
  partyId: string;
  sessionId: string;
}

export type SessionWrite =
  | { method: 'PUT'; address: SessionAddress; object: Session }
  | { method: 'PATCH'; address: SessionAddress; patch: Partial<SessionPatch> & { last_updated: string }; replacePeriods?: boolean };

/** Checks that a CdrToken is one of ours: our eMSP party, and the authorization service issued it. */
export interface OwnTokenCheck {
  tokens: { get(countryCode: string, partyId: string, uid: string, type: string): Promise<StoredToken | undefined> };
  /** Our eMSP parties (OWN_PARTIES with role EMSP). */
  ownEmspParties: readonly Party[];
}

export interface SessionReceiverDeps extends OwnTokenCheck {
  sessions: { get(role: SessionRole, cpo: Party, id: string): Promise<StoredSession | undefined> };
  ingress: { sessionWrite(connectionId: string, write: SessionWrite, correlationId?: string): Promise<void> };
  /** Finding the session a PATCH needs (a PUT just before it may still be on its way through Kafka). */
  written: WrittenLookup;
}

/**
 * A partner CPO (or a hub for it) pushes a session of one of our tokens to our eMSP: a PUT of
 * the whole Session, or a PATCH of top-level fields whose charging_periods are appended.
 * Validated in full, checked against what is stored where a PATCH needs it, then published on
 * gateway.partner-session.v1 and answered only after Kafka acknowledged it.
 */
export async function receiveSessionWrite(
  deps: SessionReceiverDeps,
  caller: Caller,
  method: 'PUT' | 'PATCH',
  address: SessionAddress,
  body: unknown,
  /** A PATCH whose charging_periods are the whole list, replacing the stored ones (OCPI 2.1.1 replaces lists). */
  options: { replacePeriods?: boolean } = {},
): Promise<void> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const sent = jsonObject(body);
  const ids: Array<[string, string, unknown]> = [
    ['country_code', address.countryCode, sent['country_code']],
    ['party_id', address.partyId, sent['party_id']],
    ['id', address.sessionId, sent['id']],
  ];
  if (method === 'PUT') {
    const parsed = sessionSchema.safeParse(sent);
    if (!parsed.success) throw invalidBody(parsed.error);
    assertSameIds(ids);
    await assertTokenOfOurs(deps, parsed.data.cdr_token);
    await deps.ingress.sessionWrite(caller.connection.id, { method, address, object: parsed.data }, caller.correlationId);
    return;
  }

  const parsed = sessionPatchSchema.safeParse(sent);
  if (!parsed.success) throw invalidBody(parsed.error);
  assertSameIds(ids);
  // Only what the partner sent: defaults (an absent list read as []) must never reach the store.
  const patch = Object.fromEntries(Object.entries(parsed.data).filter(([key, value]) => key in sent && value !== undefined)) as Partial<SessionPatch>;
  const stored = await sessionToPatch(deps, caller, address);
  const replacePeriods = options.replacePeriods === true && patch.charging_periods !== undefined;
  // A whole list is checked by the sessions service, in order with the writes before it.
  assertAppendable(stored, replacePeriods ? { ...patch, charging_periods: [] } : patch);
  if (patch.cdr_token) await assertTokenOfOurs(deps, patch.cdr_token);
  // These checks read a snapshot: two PATCHes racing through Kafka may each pass them. The
  // sessions service checks again when it applies each one in order; the loser goes to its DLQ.
  await deps.ingress.sessionWrite(
    caller.connection.id,
    { method, address, patch: { ...patch, last_updated: parsed.data.last_updated }, ...(replacePeriods ? { replacePeriods } : {}) },
    caller.correlationId,
  );
}

/**
 * The stored session a partner CPO's PATCH applies to: one it pushed, found even when the PUT
 * acknowledged a moment ago is still on its way through Kafka (see findWritten).
 */
async function sessionToPatch(deps: Pick<SessionReceiverDeps, 'sessions' | 'written'>, caller: Caller, address: SessionAddress): Promise<Session> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const stored = await findWritten(deps.written, () => pushedBy(deps, caller, address), () => unknownSession(address), `session ${address.sessionId}`);
  return stored.session;
}

/** A partner CPO reads back one of the sessions it pushed. */
export async function readPartnerSession(deps: Pick<SessionReceiverDeps, 'sessions'>, caller: Caller, address: SessionAddress): Promise<Session> {
  assertOwnParty(caller.connection, address.countryCode, address.partyId);
  const stored = await pushedBy(deps, caller, address);
  if (!stored) throw unknownSession(address);
  return stored.session;
}

/**
 * A session or CDR of a partner CPO is billed to one of our drivers: its cdr_token must name one
 * of our eMSP parties and a token the authorization service holds as ours (owner OWN). Anything
 * else is 2001 and nothing is published or stored.
 */
export async function assertTokenOfOurs(deps: OwnTokenCheck, token: CdrToken): Promise<void> {
  const party = partyKey(token.country_code, token.party_id);
  const notOurs = (why: string) => new OcpiError(OcpiStatus.INVALID_PARAMETERS, `cdr_token: token ${token.uid} (${token.type}) of ${party} is not a token of ours: ${why}`);
  if (!deps.ownEmspParties.some((own) => partyKey(own.countryCode, own.partyId) === party)) throw notOurs(`${party} is not one of our eMSP parties`);
  const stored = await deps.tokens.get(token.country_code, token.party_id, token.uid, token.type);
  if (!stored || stored.owner !== 'OWN') throw notOurs('we never issued it');
}

/** The session, only when this connection pushed it: another connection's session is as good as unknown. */
async function pushedBy(deps: Pick<SessionReceiverDeps, 'sessions'>, caller: Caller, address: SessionAddress): Promise<StoredSession | undefined> {
  const stored = await deps.sessions.get('EMSP', { countryCode: address.countryCode, partyId: address.partyId }, address.sessionId);
  return stored && stored.connectionId === caller.connection.id ? stored : undefined;
}

const appendedPeriods = (after: string) =>
  z.object({ charging_periods: z.array(z.object({ start_date_time: z.string() })) }).superRefine((value, ctx) => checkPeriodOrder(value.charging_periods, ctx, after));

/**
 * What a PATCH may not change on a stored session: appended periods start strictly after the
 * stored last one (OCPI appends them; an earlier one would rewrite history), and the currency
 * stays (the cost so far is in it).
 */
function assertAppendable(stored: Session, patch: Partial<SessionPatch>): void {
  const last = stored.charging_periods.at(-1)?.start_date_time;
  if (last !== undefined && patch.charging_periods && patch.charging_periods.length > 0) {
    const order = appendedPeriods(last).safeParse({ charging_periods: patch.charging_periods });
    if (!order.success) throw invalidBody(order.error);
  }
  if (patch.currency !== undefined && patch.currency !== stored.currency) {
    throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, `currency: currency mismatch: session ${stored.id} is in ${stored.currency}, this PATCH says ${patch.currency}`);
  }
}

function jsonObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, '(body): must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * Sessions have no "unknown session" status of their own (locations have 2003, tokens 2004):
 * HTTP 404 with 2001, as the spec answers a charging-preferences PUT it cannot apply.
 */
const unknownSession = (address: SessionAddress): OcpiError =>
  new OcpiError(OcpiStatus.INVALID_PARAMETERS, `unknown session ${address.sessionId} of ${partyKey(address.countryCode, address.partyId)}`, { httpStatus: 404 });
