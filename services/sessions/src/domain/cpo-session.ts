import { failedPrecondition, internal, invalidArgument, isAppError } from '@voltmesh/errors';
import type { CdrLocation, ChargingPeriod, ChargingPreferences } from '@voltmesh/ocpi';
import type { Party } from './command.js';
import { periodsToAppend } from './session-periods.js';
import { isFinal, validateHead, type CpoFacts, type PricingState, type SessionPrice, type SessionRecord, type SessionStatus, type StartFacts } from './session.js';

/**
 * The sessions at our chargers (CPO role), as our CSMS reports them: started, progress, ended.
 * Pure: the application looks up the token, location and tariff, and prices the session with the
 * tariffs service between `plan*` and `withPrice`.
 */

export interface TokenFacts {
  party: Party;
  uid: string;
  type: string;
  contractId: string;
  /** The partner connection that pushed the token; empty for our own eMSP's tokens. */
  connectionId: string;
}

export interface TariffSnapshot {
  id: string;
  currency: string;
  /** The OCPI Tariff as the tariffs service gave it. */
  json: string;
}

export interface NewCpoSession {
  cpo: Party;
  id: string;
  start: StartFacts;
  token: TokenFacts;
  cdrLocation: CdrLocation;
  timeZone: string;
  tariff: TariffSnapshot | undefined;
  /** Without a tariff the session is in this currency (DEFAULT_CURRENCY). */
  defaultCurrency: string;
  now: Date;
}

/** A session just reported started: no energy, no periods, no price yet. */
export function startCpoSession(input: NewCpoSession): SessionRecord {
  const { start, token } = input;
  const at = input.now.toISOString();
  const ocpi = validateHead(
    {
      country_code: input.cpo.countryCode,
      party_id: input.cpo.partyId,
      id: input.id,
      start_date_time: start.startDateTime,
      kwh: 0,
      cdr_token: { country_code: token.party.countryCode, party_id: token.party.partyId, uid: token.uid, type: token.type as 'RFID', contract_id: token.contractId },
      auth_method: start.authMethod as 'AUTH_REQUEST',
      ...(start.authorizationReference ? { authorization_reference: start.authorizationReference } : {}),
      location_id: start.locationId,
      evse_uid: start.evseUid,
      connector_id: start.connectorId,
      ...(start.meterId ? { meter_id: start.meterId } : {}),
      currency: input.tariff?.currency ?? input.defaultCurrency,
      status: start.status as SessionStatus,
      last_updated: at,
    },
    [],
  );
  const cpoFacts: CpoFacts = {
    start,
    cdrLocation: input.cdrLocation,
    tariffJson: input.tariff?.json ?? '',
    tariffId: input.tariff?.id ?? '',
    timeZone: input.timeZone,
    tokenConnectionId: token.connectionId,
    figuresAt: start.startDateTime,
  };
  return {
    role: 'CPO',
    cpo: input.cpo,
    id: input.id,
    emsp: token.party,
    contractId: ocpi.cdr_token.contract_id,
    connectionId: '',
    ocpi,
    periodCount: 0,
    cpoFacts,
    updatedAt: at,
  };
}

/** The start fields in which a repeated ReportSessionStarted differs from the stored one (empty: a replay). */
export function startDifferences(stored: StartFacts, repeated: StartFacts): string[] {
  const names: Record<keyof StartFacts, string> = {
    tokenParty: 'token_party',
    tokenUid: 'token_uid',
    tokenType: 'token_type',
    authMethod: 'auth_method',
    authorizationReference: 'authorization_reference',
    locationId: 'location_id',
    evseUid: 'evse_uid',
    connectorId: 'connector_id',
    meterId: 'meter_id',
    startDateTime: 'start_date_time',
    status: 'status',
  };
  return (Object.keys(names) as (keyof StartFacts)[]).filter((field) => stored[field] !== repeated[field]).map((field) => names[field]);
}

export interface ProgressReport {
  /** Validated, tariff_id defaulted to the session's tariff. */
  periods: ChargingPeriod[];
  kwh?: number | undefined;
  status?: SessionStatus | undefined;
  /** When the figures are for (OCPI DateTime). */
  at: string;
}

export interface EndReport {
  periods: ChargingPeriod[];
  kwh?: number | undefined;
  endDateTime: string;
  status: 'COMPLETED' | 'INVALID';
}

/** A change to price and store, or nothing to do. */
export type Plan = { kind: 'unchanged' } | { kind: 'change'; next: SessionRecord; append: ChargingPeriod[]; priceUntil: string };

/**
 * New figures of a running session. Periods are appended (see periodsToAppend); a report older
 * than the figures stored (`at` before theirs) changes nothing unless it brings new periods,
 * which would then be out of place (INVALID_ARGUMENT). PENDING or RESERVATION may become ACTIVE
 * (RESERVATION also PENDING); leaving PENDING moves start_date_time to that moment (§6.2) and
 * drops the pricing state (it was for the old start). The caller prices `next` up to `at`.
 */
export function planProgress(current: SessionRecord, report: ProgressReport, storedFromFirst: readonly ChargingPeriod[]): Plan {
  const facts = cpoFactsOf(current);
  if (isFinal(current)) throw failedPrecondition(`session ${current.id} is ${current.ocpi.status}: no progress after it ended`);
  const append = periodsToAppend(current.lastPeriod, storedFromFirst, report.periods, 'charging_periods_json');
  if (report.at < facts.figuresAt) {
    if (append.length > 0) throw invalidArgument(`at: ${report.at} is before the figures already stored (${facts.figuresAt}) but brings new charging periods`);
    return { kind: 'unchanged' };
  }
  const status = nextStatus(current.ocpi.status, report.status);
  const start = current.ocpi.status === 'PENDING' && status === 'ACTIVE' ? report.at : current.ocpi.start_date_time;
  const lastPeriod = append.at(-1) ?? current.lastPeriod;
  if (lastPeriod && report.at < lastPeriod.start_date_time) throw invalidArgument(`at: ${report.at} is before the start of the last charging period (${lastPeriod.start_date_time})`);
  if (report.at < start) throw invalidArgument(`at: ${report.at} is before the session's start (${start})`);
  const kwh = report.kwh ?? current.ocpi.kwh;
  if (append.length === 0 && kwh === current.ocpi.kwh && status === current.ocpi.status && report.at === facts.figuresAt) return { kind: 'unchanged' };

  const ocpi = validateHead({ ...current.ocpi, kwh, status, start_date_time: start }, current.lastPeriod ? [current.lastPeriod, ...append] : append);
  const next: SessionRecord = {
    ...current,
    ocpi,
    periodCount: current.periodCount + append.length,
    lastPeriod,
    cpoFacts: { ...facts, figuresAt: report.at, pricing: start === current.ocpi.start_date_time ? facts.pricing : undefined },
  };
  return { kind: 'change', next, append, priceUntil: report.at };
}

/**
 * The end of a session: last periods appended, end_date_time, kWh, COMPLETED or INVALID. After
 * the end, the same end again (same time, status and kWh, no new period) changes nothing; any
 * other end is FAILED_PRECONDITION.
 */
export function planEnd(current: SessionRecord, report: EndReport, storedFromFirst: readonly ChargingPeriod[]): Plan {
  const facts = cpoFactsOf(current);
  if (isFinal(current)) {
    const ended = `session ${current.id} ended already (${current.ocpi.status} at ${current.ocpi.end_date_time ?? '?'})`;
    let append: ChargingPeriod[];
    try {
      append = periodsToAppend(current.lastPeriod, storedFromFirst, report.periods, 'charging_periods_json');
    } catch (error) {
      if (isAppError(error)) throw failedPrecondition(`${ended}: ${error.message}`);
      throw error;
    }
    const same = append.length === 0 && report.endDateTime === current.ocpi.end_date_time && report.status === current.ocpi.status && (report.kwh === undefined || report.kwh === current.ocpi.kwh);
    if (same) return { kind: 'unchanged' };
    throw failedPrecondition(`${ended}: a different end is not taken`);
  }
  const append = periodsToAppend(current.lastPeriod, storedFromFirst, report.periods, 'charging_periods_json');
  const end = report.endDateTime;
  if (end < current.ocpi.start_date_time) throw invalidArgument(`end_date_time: ${end} is before the session's start (${current.ocpi.start_date_time})`);
  append.forEach((period, index) => {
    if (period.start_date_time > end) throw invalidArgument(`charging_periods_json[${index}].start_date_time: ${period.start_date_time} is after end_date_time (${end})`);
  });
  if (current.lastPeriod && current.lastPeriod.start_date_time > end) {
    throw invalidArgument(`end_date_time: ${end} is before the start of the last stored charging period (${current.lastPeriod.start_date_time})`);
  }
  const kwh = report.kwh ?? current.ocpi.kwh;
  const ocpi = validateHead({ ...current.ocpi, kwh, status: report.status, end_date_time: end }, current.lastPeriod ? [current.lastPeriod, ...append] : append);
  const next: SessionRecord = {
    ...current,
    ocpi,
    periodCount: current.periodCount + append.length,
    lastPeriod: append.at(-1) ?? current.lastPeriod,
    cpoFacts: { ...facts, figuresAt: end },
  };
  return { kind: 'change', next, append, priceUntil: end };
}

/**
 * The session with its live price: Session.total_cost is the engine's total_cost (its decimal
 * strings as OCPI numbers; no arithmetic on them here). No price (no tariff, no period yet):
 * no total_cost (OCPI: absent is not free).
 */
export function withPrice(record: SessionRecord, price: SessionPrice | undefined, pricing: PricingState | undefined): SessionRecord {
  const facts = cpoFactsOf(record);
  const ocpi = { ...record.ocpi };
  delete ocpi.total_cost;
  return {
    ...record,
    ocpi: price ? { ...ocpi, total_cost: { excl_vat: Number(price.totalCost.exclVat), incl_vat: Number(price.totalCost.inclVat) } } : ocpi,
    cpoFacts: { ...facts, price, pricing },
  };
}

/** The eMSP's accepted ChargingPreferences, kept on the session (they are not part of the OCPI Session). */
export function withPreferences(record: SessionRecord, preferences: ChargingPreferences): SessionRecord {
  return { ...record, cpoFacts: { ...cpoFactsOf(record), preferences } };
}

/** A change stored now: OCPI last_updated and our updated_at. */
export function stamped(record: SessionRecord, now: Date, ocpiChanged = true): SessionRecord {
  const at = now.toISOString();
  return { ...record, ocpi: ocpiChanged ? { ...record.ocpi, last_updated: at } : record.ocpi, updatedAt: at };
}

function nextStatus(from: SessionStatus, to: SessionStatus | undefined): SessionStatus {
  if (to === undefined || to === from) return from;
  if (to === 'COMPLETED' || to === 'INVALID') throw invalidArgument(`status: ${to} ends the session: report it with ReportSessionEnded`);
  if ((from === 'PENDING' || from === 'RESERVATION') && to === 'ACTIVE') return to;
  if (from === 'RESERVATION' && to === 'PENDING') return to;
  throw failedPrecondition(`status: a ${from} session cannot become ${to}`);
}

export function cpoFactsOf(record: SessionRecord): CpoFacts {
  if (!record.cpoFacts) throw internal(`session ${record.id} (${record.role}) has no CPO facts`);
  return record.cpoFacts;
}
