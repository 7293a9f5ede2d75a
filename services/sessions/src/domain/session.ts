import { failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { sameContent, sessionSchema, zodErrorMessage, type CdrLocation, type ChargingPeriod, type ChargingPreferences, type Session } from '@voltmesh/ocpi';
import { partyKey, type Party } from './command.js';

/**
 * The session model (OCPI 2.2.1 §6) in both roles. A session's charging periods are not part of
 * the record: a long session has hundreds of them and they only ever grow at the end (or, by a
 * partner's PUT, are replaced), so the store keeps them apart and the transitions here see only
 * the last stored one and the ones they add.
 */

/** CPO: at one of our chargers, reported by our CSMS. EMSP: at a partner CPO, of one of our tokens. */
export type SessionRole = 'CPO' | 'EMSP';

export type SessionStatus = Session['status'];

/** The OCPI Session without its charging periods. */
export type SessionHead = Omit<Session, 'charging_periods'>;

/** Nothing changes a session after these but a partner's correction (EMSP role). */
export const FINAL_STATUSES: ReadonlySet<SessionStatus> = new Set(['COMPLETED', 'INVALID']);

export interface Money {
  exclVat: string;
  inclVat: string;
}

/** The live price from the tariffs price engine: its decimal strings, as they came. */
export interface SessionPrice {
  currency: string;
  totalCost: Money;
  totalEnergyCost: Money;
  totalTimeCost: Money;
  totalParkingCost: Money;
  totalFixedCost: Money;
  totalReservationCost: Money;
  totalEnergy: string;
  totalTime: string;
  totalParkingTime: string;
}

/**
 * The resume state of the session's live pricing (tariffs PriceSession): valid for the tariff
 * snapshot, the location's zone and the start it was computed with; the next pricing sends only
 * the periods from `statePeriodCount` on. Empty `stateJson`: send every period.
 */
export interface PricingState {
  stateJson: string;
  statePeriodCount: number;
  /** The session's start_date_time the state was computed for (it moves when PENDING becomes ACTIVE). */
  start: string;
}

/** What the CSMS reported when the session started; a repeated start is compared with it. */
export interface StartFacts {
  tokenParty: string;
  tokenUid: string;
  tokenType: string;
  authMethod: string;
  authorizationReference: string;
  locationId: string;
  evseUid: string;
  connectorId: string;
  meterId: string;
  startDateTime: string;
  status: string;
}

/** CPO role: the snapshots taken at the start and the live pricing. */
export interface CpoFacts {
  start: StartFacts;
  cdrLocation: CdrLocation;
  /** The OCPI Tariff in force at the start (JSON as the tariffs service gave it); empty when none. */
  tariffJson: string;
  tariffId: string;
  /** IANA zone of the location (UTC when it has none). */
  timeZone: string;
  /** The partner connection the token came from; empty for our own eMSP's tokens. */
  tokenConnectionId: string;
  price?: SessionPrice | undefined;
  pricing?: PricingState | undefined;
  /** The moment of the latest figures (ReportSessionProgress `at`, or the end). */
  figuresAt: string;
  preferences?: ChargingPreferences | undefined;
}

export interface SessionRecord {
  role: SessionRole;
  cpo: Party;
  /** Upper case (CiString). */
  id: string;
  /** The token's eMSP (cdr_token country_code/party_id). */
  emsp: Party;
  contractId: string;
  /** EMSP role: the partner CPO's connection that created it. CPO role: empty. */
  connectionId: string;
  ocpi: SessionHead;
  periodCount: number;
  /** The last stored charging period: where the next ones must start after. */
  lastPeriod?: ChargingPeriod | undefined;
  cpoFacts?: CpoFacts | undefined;
  /** RFC 3339 UTC of the last stored change. */
  updatedAt: string;
}

/**
 * A partner eMSP's START_SESSION our charger accepted (ReportCommandResult with the session id),
 * possibly before the CSMS reports the session itself: who may stop it until then.
 */
export interface CommandClaim {
  commandId: string;
  emsp: Party;
  connectionId: string;
  claimedAt: string;
}

/** The identity of a session on the platform and on Kafka: `CC*PID*ID` of the CPO, upper case. */
export const sessionKey = (cpo: Party, id: string): string => `${partyKey(cpo)}*${id}`.toUpperCase();

export const isFinal = (record: SessionRecord): boolean => FINAL_STATUSES.has(record.ocpi.status);

/** The whole OCPI Session of a record with its periods. */
export function toOcpiSession(record: SessionRecord, periods: readonly ChargingPeriod[]): Session {
  return { ...record.ocpi, charging_periods: [...periods] };
}

/**
 * Checks a session head with the OCPI schema, together with the periods a change adds (and the
 * last stored one before them, so their order is checked too): the stored periods were checked
 * when they came, so this costs the same for a session of 1 or 1,000 periods.
 */
export function validateHead(head: SessionHead, periods: readonly ChargingPeriod[]): SessionHead {
  const parsed = sessionSchema.safeParse({ ...head, charging_periods: periods });
  if (!parsed.success) throw invalidArgument(`session ${head.id}: ${zodErrorMessage(parsed.error)}`);
  const normalised: SessionHead & { charging_periods?: unknown } = { ...parsed.data };
  delete normalised.charging_periods;
  return normalised;
}

/** Sessions of a partner or ours keep at most this many periods: the whole session travels in every SessionChanged. */
export function checkPeriodLimit(record: SessionRecord, maxPeriods: number): void {
  if (record.periodCount > maxPeriods) {
    throw failedPrecondition(`session ${record.id} would have ${record.periodCount} charging periods, more than the ${maxPeriods} a session may have (SESSION_MAX_PERIODS)`);
  }
}

/** Whether two states of a session differ in anything but the times of the change. */
export function sameSession(a: SessionRecord, b: SessionRecord): boolean {
  const strip = (record: SessionRecord) => ({
    ...record,
    updatedAt: undefined,
    ocpi: { ...record.ocpi, last_updated: undefined },
    cpoFacts: record.cpoFacts ? { ...record.cpoFacts, pricing: undefined, figuresAt: undefined } : undefined,
  });
  return sameContent(strip(a), strip(b));
}
