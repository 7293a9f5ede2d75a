import { z } from 'zod';
import {
  activeChargingProfileResultSchema,
  chargingProfileResultSchema,
  clearProfileResultSchema,
  clearProfileSchema,
  formatOcpiDateTime,
  getActiveChargingProfileSchema,
  setChargingProfileSchema,
  chargingProfileResultTypeSchema,
  type ActiveChargingProfile,
  type ChargingProfileResponse,
  type ChargingProfileResponseType,
  type ChargingProfileResultType,
} from '@voltmesh/ocpi';
import { sameParty, type CommandState, type Party, type ProfileCommandType } from './command.js';
import type { CommandClaim, SessionRecord } from './session.js';

/* OCPI 2.2.1 §11 (ChargingProfiles): the pure rules of this service; the wire schemas are @voltmesh/ocpi's. */



/** The request object (a Command's ocpi_json) of each profile command type. */
export const profileRequestSchemas = {
  SET_CHARGING_PROFILE: setChargingProfileSchema,
  GET_ACTIVE_CHARGING_PROFILE: getActiveChargingProfileSchema,
  CLEAR_PROFILE: clearProfileSchema,
} as const satisfies Record<ProfileCommandType, z.ZodType<{ response_url: string }>>;

/** The result a CPO posts to the response_url of each profile command type. */
export const profileResultSchemas = {
  SET_CHARGING_PROFILE: chargingProfileResultSchema,
  GET_ACTIVE_CHARGING_PROFILE: activeChargingProfileResultSchema,
  CLEAR_PROFILE: clearProfileResultSchema,
} as const satisfies Record<ProfileCommandType, z.ZodType<{ result: ChargingProfileResultType }>>;

/**
 * The command state a CPO's ChargingProfileResponse puts our request in. TOO_OFTEN (the CPO's
 * rate limit) is a refusal: REJECTED, and response_json keeps the exact answer, so the driver
 * app can tell "try later" from "no".
 */
export const PROFILE_RESPONSE_STATES: Readonly<Record<ChargingProfileResponseType, CommandState>> = {
  ACCEPTED: 'ACCEPTED',
  REJECTED: 'REJECTED',
  TOO_OFTEN: 'REJECTED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  UNKNOWN_SESSION: 'UNKNOWN_SESSION',
};

/**
 * Whether a partner eMSP (party, over connection `connectionId`) may set, read or clear the
 * profile of one of our CPO's sessions: the session's token is that eMSP's and, for a token a
 * partner pushed to us, came over that connection; before our CSMS reported the session, the
 * START_SESSION claim names the eMSP and connection. Sessions of the other role never.
 */
export function holdsCpoSession(session: { record: SessionRecord | undefined; claim: CommandClaim | undefined } | undefined, emsp: Party, connectionId: string): boolean {
  const record = session?.record;
  if (record) {
    if (record.role !== 'CPO' || !sameParty(record.emsp, emsp)) return false;
    const tokenConnection = record.cpoFacts?.tokenConnectionId ?? '';
    return !tokenConnection || tokenConnection === connectionId;
  }
  const claim = session?.claim;
  return !!claim && sameParty(claim.emsp, emsp) && claim.connectionId === connectionId;
}

/** What the service looked up about a partner eMSP's profile request before answering it. */
export interface ProfileRequestFacts {
  now: Date;
  /** Seconds we announce in ChargingProfileResponse.timeout. */
  timeoutSeconds: number;
  /** The session is one of our CPO's and that eMSP's (see README: who holds a session). */
  sessionHeld: boolean;
  /** The session has ended (COMPLETED or INVALID): no charger applies a limit to it any more. */
  sessionEnded: boolean;
}

export interface ProfileRequestDecision {
  state: CommandState;
  response: ChargingProfileResponse;
  /** When the sweeper times it out; empty when it is decided already. */
  deadline: string;
}

/**
 * How our CPO answers a partner eMSP's SET/GET/CLEAR of a session's profile: UNKNOWN_SESSION
 * for a session that is not its own (or not ours), REJECTED for one that has ended, else
 * ACCEPTED for our CSMS to execute within `timeoutSeconds`.
 */
export function decideProfileRequest(facts: ProfileRequestFacts): ProfileRequestDecision {
  const timeout = facts.timeoutSeconds;
  if (!facts.sessionHeld) return { state: 'UNKNOWN_SESSION', response: { result: 'UNKNOWN_SESSION', timeout }, deadline: '' };
  if (facts.sessionEnded) return { state: 'REJECTED', response: { result: 'REJECTED', timeout }, deadline: '' };
  return { state: 'ACCEPTED', response: { result: 'ACCEPTED', timeout }, deadline: formatOcpiDateTime(new Date(facts.now.getTime() + timeout * 1000)) };
}

/**
 * The result_json of an inbound profile command our CSMS reports with ReportCommandResult
 * (`{result}`, the ChargingProfileResult / ClearProfileResult shape). A GET's ACCEPTED result
 * carries the profile: it comes with ReportActiveChargingProfile instead, so a bare ACCEPTED
 * for a GET is refused (the gateway could not post it). Returns the problem as text.
 */
export function profileReportResult(type: ProfileCommandType, result: string): { resultJson: string } | { problem: string } {
  const parsed = chargingProfileResultTypeSchema.safeParse(result);
  if (!parsed.success) return { problem: `a ${type} takes one of ${chargingProfileResultTypeSchema.options.join(', ')}` };
  if (type === 'GET_ACTIVE_CHARGING_PROFILE' && parsed.data === 'ACCEPTED') {
    return { problem: 'an ACCEPTED GET_ACTIVE_CHARGING_PROFILE is reported with ChargingProfileService.ReportActiveChargingProfile (it carries the profile)' };
  }
  return { resultJson: JSON.stringify({ result: parsed.data }) };
}

/** The result_json of a GET_ACTIVE_CHARGING_PROFILE our CSMS answered with the profile. */
export const activeProfileResultJson = (profile: ActiveChargingProfile): string => JSON.stringify({ result: 'ACCEPTED', profile });
