import { z } from 'zod';
import { formatOcpiDateTime, list, ocpiDateTime, ocpiUrl, optional } from '@voltmesh/ocpi';
import { sameParty, type CommandState, type Party, type ProfileCommandType } from './command.js';
import type { CommandClaim, SessionRecord } from './session.js';

/*
 * OCPI 2.2.1 §11 (ChargingProfiles): the wire schemas and the pure rules of this service.
 * The partner gateway holds the same schemas (services/partner-gateway/src/domain/
 * charging-profile-schemas.ts); both belong in libs/ocpi (schemas/charging-profiles.ts). Until
 * then they must agree: the dispatcher validates our outbound requests with its copy, so this
 * one is never laxer (first period at 0, strictly ascending, a SET needs a period).
 */

export const chargingRateUnitSchema = z.enum(['W', 'A']);
export const chargingProfileResponseTypeSchema = z.enum(['ACCEPTED', 'NOT_SUPPORTED', 'REJECTED', 'TOO_OFTEN', 'UNKNOWN_SESSION']);
export const chargingProfileResultTypeSchema = z.enum(['ACCEPTED', 'REJECTED', 'UNKNOWN']);

/** True for a number written with at most one decimal (16, 16.5; not 16.25). */
export function hasAtMostOneDecimal(value: number): boolean {
  // String(0.1 * 3) is "0.30000000000000004": a value computed with more precision is refused, as sent.
  return Number.isInteger(value) || /^-?\d+\.\d$/.test(String(value));
}

/** A rate in the profile's unit (W or A): not negative, at most one decimal (OCPI 2.2.1 §11.4.3, §11.4.4). */
const rate = z.number().min(0, 'must not be negative').refine(hasAtMostOneDecimal, 'must have at most 1 decimal');
const seconds = z.number().int('must be a whole number of seconds').min(0, 'must not be negative');

export const chargingProfilePeriodSchema = z.object({
  /** Seconds from the profile's start. */
  start_period: seconds,
  limit: rate,
});

/**
 * A ChargingProfile. Periods start at 0 and in strictly ascending order: each lasts until the
 * next starts (OCPP's rule, which the charger applies), so a gap at the start, a repeat or an
 * unsorted list has no single meaning.
 */
export const chargingProfileSchema = z
  .object({
    start_date_time: optional(ocpiDateTime),
    duration: optional(seconds),
    charging_rate_unit: chargingRateUnitSchema,
    min_charging_rate: optional(rate),
    charging_profile_period: list(chargingProfilePeriodSchema),
  })
  .superRefine((profile, ctx) => {
    let previous: number | undefined;
    profile.charging_profile_period.forEach((period, index) => {
      if (previous === undefined ? period.start_period !== 0 : period.start_period <= previous) {
        ctx.addIssue({
          code: 'custom',
          path: ['charging_profile_period', index, 'start_period'],
          message: previous === undefined ? 'the first period must start at 0' : `must be greater than the previous period's ${previous} (ascending order)`,
        });
      }
      previous = period.start_period;
    });
  });

/** A profile to enforce: it needs at least one period (a limit). */
export const limitingProfileSchema = chargingProfileSchema.refine((profile) => profile.charging_profile_period.length > 0, {
  message: 'must have at least one period',
  path: ['charging_profile_period'],
});

/** SET_CHARGING_PROFILE's ocpi_json: PUT {chargingprofiles}/{session_id}. */
export const setChargingProfileSchema = z.object({ charging_profile: limitingProfileSchema, response_url: ocpiUrl });
/** GET_ACTIVE_CHARGING_PROFILE's ocpi_json: GET …/{session_id}?duration=&response_url=. */
export const getActiveChargingProfileSchema = z.object({ duration: seconds, response_url: ocpiUrl });
/** CLEAR_PROFILE's ocpi_json: DELETE …/{session_id}?response_url=. */
export const clearProfileSchema = z.object({ response_url: ocpiUrl });

/** The charger's computed profile; its periods are relative to `start_date_time`. */
export const activeChargingProfileSchema = z.object({
  start_date_time: ocpiDateTime,
  charging_profile: chargingProfileSchema,
});

export const chargingProfileResponseSchema = z.object({
  result: chargingProfileResponseTypeSchema,
  timeout: seconds,
});

export const chargingProfileResultSchema = z.object({ result: chargingProfileResultTypeSchema });
export const clearProfileResultSchema = z.object({ result: chargingProfileResultTypeSchema });
/** The answer to a GET: the profile comes with (and only makes sense with) ACCEPTED. */
export const activeChargingProfileResultSchema = z
  .object({ result: chargingProfileResultTypeSchema, profile: optional(activeChargingProfileSchema) })
  .superRefine((answer, ctx) => {
    if (answer.result === 'ACCEPTED' && !answer.profile) ctx.addIssue({ code: 'custom', path: ['profile'], message: 'is required when result is ACCEPTED' });
  });

export type ChargingProfile = z.output<typeof chargingProfileSchema>;
export type ActiveChargingProfile = z.output<typeof activeChargingProfileSchema>;
export type ChargingProfileResponse = z.output<typeof chargingProfileResponseSchema>;
export type ChargingProfileResponseType = z.output<typeof chargingProfileResponseTypeSchema>;
export type ChargingProfileResultType = z.output<typeof chargingProfileResultTypeSchema>;

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
