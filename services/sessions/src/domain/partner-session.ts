import { failedPrecondition, invalidArgument, notFound } from '@voltmesh/errors';
import { sameContent, type ChargingPeriod, type Session, type SessionPatch } from '@voltmesh/ocpi';
import { partyKey, type Party } from './command.js';
import { periodsToAppend } from './session-periods.js';
import { sessionKey, validateHead, type SessionHead, type SessionRecord } from './session.js';

/**
 * Partner CPOs' sessions of our tokens (EMSP role), as the gateway publishes their writes: PUT
 * replaces the whole session (periods too), PATCH changes top-level fields and APPENDS its
 * charging_periods (OCPI 2.2.1 §6.1). The gateway checked the schema, that the URL party is the
 * partner's and that the token is ours; this decides everything that needs the stored session.
 * A write that can never apply throws (the consumer sends it to the DLQ with the message); an
 * older one than stored (by last_updated) is `stale` and changes nothing.
 */

export interface PartnerWrite {
  connectionId: string;
  /** The CPO party of the URL. */
  cpo: Party;
  /** Upper case. */
  sessionId: string;
}

/**
 * What a PATCH does: nothing (older, or a replay), or the next record and the periods it
 * appends — or, when its periods are the whole list (`replacePeriods`), the periods that
 * replace the stored ones.
 */
export type PatchOutcome =
  | { kind: 'stale' }
  | { kind: 'unchanged' }
  | { kind: 'append'; next: SessionRecord; append: ChargingPeriod[] }
  | { kind: 'replace'; next: SessionRecord; periods: ChargingPeriod[] };

/**
 * What a PUT does to the stored session, before its periods are compared: `stale` (older),
 * `same-time` (as old as the stored one: a replay when the periods are equal too, else it
 * replaces), `replace`.
 */
export function judgePartnerPut(current: SessionRecord | undefined, write: PartnerWrite, session: Session): 'stale' | 'same-time' | 'replace' {
  checkIdentity(write, session);
  if (!current) return 'replace';
  checkOwnership(current, write);
  if (session.last_updated < current.ocpi.last_updated) return 'stale';
  checkCurrency(current, session.currency);
  if (session.last_updated === current.ocpi.last_updated) return 'same-time';
  return 'replace';
}

/** The record of a session a PUT replaces (or creates). */
export function partnerSessionRecord(write: PartnerWrite, session: Session, now: Date): { next: SessionRecord; periods: ChargingPeriod[] } {
  const { charging_periods: periods, ...ocpi } = session;
  return {
    next: {
      role: 'EMSP',
      cpo: write.cpo,
      id: write.sessionId,
      emsp: { countryCode: ocpi.cdr_token.country_code, partyId: ocpi.cdr_token.party_id },
      contractId: ocpi.cdr_token.contract_id,
      connectionId: write.connectionId,
      ocpi,
      periodCount: periods.length,
      lastPeriod: periods.at(-1),
      updatedAt: now.toISOString(),
    },
    periods,
  };
}

/** Whether a same-time PUT repeats the stored session (head and every period). */
export function isSamePut(current: SessionRecord, storedPeriods: readonly ChargingPeriod[], session: Session): boolean {
  const { charging_periods: periods, ...ocpi } = session;
  return sameContent(current.ocpi, ocpi) && sameContent(storedPeriods, periods);
}

/**
 * A PATCH: unknown session → NOT_FOUND, another connection's → FAILED_PRECONDITION, older
 * last_updated → stale, another currency → FAILED_PRECONDITION "currency mismatch"; its periods are
 * appended (a replayed PATCH's periods are stored already and skipped), the other fields given
 * replace the stored ones. `storedFromFirst`: see periodsToAppend.
 */
export function applyPartnerPatch(
  current: SessionRecord | undefined,
  write: PartnerWrite,
  patch: SessionPatch,
  storedFromFirst: readonly ChargingPeriod[],
  now: Date,
  replacePeriods = false,
): PatchOutcome {
  const key = sessionKey(write.cpo, write.sessionId);
  if (!current) throw notFound(`PATCH of unknown session ${key}: the CPO must PUT the session first`);
  checkIdentity(write, patch);
  checkOwnership(current, write);
  if (patch.last_updated < current.ocpi.last_updated) return { kind: 'stale' };
  if (patch.currency !== undefined) checkCurrency(current, patch.currency);
  if (replacePeriods && patch.charging_periods !== undefined) return replacingPatch(current, patch, patch.charging_periods, now);

  const append = periodsToAppend(current.lastPeriod, storedFromFirst, patch.charging_periods ?? [], 'ocpi_json.charging_periods');
  const given = givenFields(patch);
  const ocpi = validateHead({ ...current.ocpi, ...given }, current.lastPeriod ? [current.lastPeriod, ...append] : append);
  const withoutTime = (head: SessionHead) => ({ ...head, last_updated: undefined });
  if (append.length === 0 && sameContent(withoutTime(ocpi), withoutTime(current.ocpi))) return { kind: 'unchanged' };
  return { kind: 'append', next: patchedRecord(current, ocpi, current.periodCount + append.length, append.at(-1) ?? current.lastPeriod, now), append };
}

/** The body's country_code/party_id/id, where given, must be the ones the write is addressed to. */
function checkIdentity(write: PartnerWrite, body: { country_code?: string | undefined; party_id?: string | undefined; id?: string | undefined }): void {
  const key = sessionKey(write.cpo, write.sessionId);
  if (body.country_code !== undefined && body.party_id !== undefined && partyKey({ countryCode: body.country_code, partyId: body.party_id }) !== partyKey(write.cpo)) {
    throw invalidArgument(`ocpi_json: country_code/party_id ${body.country_code}*${body.party_id} is not the party of session ${key}`);
  }
  if ((body.country_code === undefined) !== (body.party_id === undefined)) throw invalidArgument('ocpi_json: country_code and party_id go together');
  if (body.id !== undefined && body.id.toUpperCase() !== write.sessionId.toUpperCase()) throw invalidArgument(`ocpi_json: id ${body.id} is not session ${key}`);
}

/** Only the connection that created a partner session writes it; our CPO's sessions are never a partner's. */
function checkOwnership(current: SessionRecord, write: PartnerWrite): void {
  const key = sessionKey(write.cpo, write.sessionId);
  if (current.role !== 'EMSP') throw failedPrecondition(`session ${key} is one of our CPO's sessions: no partner writes it`);
  if (current.connectionId !== write.connectionId) throw failedPrecondition(`session ${key} belongs to another connection than ${write.connectionId}: only the connection that created it writes it`);
}

function checkCurrency(current: SessionRecord, currency: string): void {
  if (currency !== current.ocpi.currency) throw failedPrecondition(`currency mismatch: session ${current.id} is in ${current.ocpi.currency}, the write in ${currency}`);
}

/** A PATCH carrying the whole period list: the fields given and those periods replace the stored ones. */
function replacingPatch(current: SessionRecord, patch: SessionPatch, sent: readonly ChargingPeriod[], now: Date): PatchOutcome {
  // With nothing stored to compare to, this only checks that the periods start one after the other.
  const periods = periodsToAppend(undefined, [], sent, 'ocpi_json.charging_periods');
  const given = givenFields(patch);
  const ocpi = validateHead({ ...current.ocpi, ...given }, periods);
  return { kind: 'replace', next: patchedRecord(current, ocpi, periods.length, periods.at(-1), now), periods };
}

/** The stored record after a PATCH: its new head (the driver may change with the token) and where its periods end. */
function patchedRecord(current: SessionRecord, ocpi: SessionHead, periodCount: number, lastPeriod: ChargingPeriod | undefined, now: Date): SessionRecord {
  return {
    ...current,
    emsp: { countryCode: ocpi.cdr_token.country_code, partyId: ocpi.cdr_token.party_id },
    contractId: ocpi.cdr_token.contract_id,
    ocpi,
    periodCount,
    lastPeriod,
    updatedAt: now.toISOString(),
  };
}

/** The top-level fields a PATCH gives (its periods aside): they replace the stored ones. */
function givenFields(patch: SessionPatch): Partial<SessionHead> {
  const fields: Partial<SessionPatch> = { ...patch };
  delete fields.charging_periods;
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<SessionHead>;
}
