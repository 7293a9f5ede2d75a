import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ocpiUrl, optional } from './common.js';
import { list } from './types.js';

/** OCPI 2.2.1 §11 (ChargingProfiles): requests, responses, results and the profiles themselves. */

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

export const chargingProfilePeriodSchema = z.object({
  /** Seconds from the profile's start. */
  start_period: z.number().int('must be a whole number of seconds').min(0, 'must not be negative'),
  limit: rate,
});

/**
 * A ChargingProfile. Periods start at 0 and in strictly ascending order: each lasts until the
 * next starts (OCPP's rule, which the charger applies), so a gap, a repeat or an unsorted list
 * has no single meaning.
 */
export const chargingProfileSchema = z
  .object({
    start_date_time: optional(ocpiDateTime),
    duration: optional(z.number().int('must be a whole number of seconds').min(0, 'must not be negative')),
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

/** PUT {chargingprofiles}/{session_id}: a profile to enforce needs at least one period (a limit). */
export const setChargingProfileSchema = z.object({
  charging_profile: chargingProfileSchema.refine((profile) => profile.charging_profile_period.length > 0, {
    message: 'must have at least one period',
    path: ['charging_profile_period'],
  }),
  response_url: ocpiUrl,
});

/** The JSON form of GET {chargingprofiles}/{session_id}?duration=&response_url= (the Command's ocpi_json). */
export const getActiveChargingProfileSchema = z.object({
  duration: z.number().int('must be a whole number of seconds').min(0, 'must not be negative'),
  response_url: ocpiUrl,
});

/** The JSON form of DELETE {chargingprofiles}/{session_id}?response_url= (the Command's ocpi_json). */
export const clearProfileSchema = z.object({ response_url: ocpiUrl });

/** The charger's computed profile; its periods are relative to `start_date_time`. */
export const activeChargingProfileSchema = z.object({
  start_date_time: ocpiDateTime,
  charging_profile: chargingProfileSchema,
});

export const chargingProfileResponseSchema = z.object({
  result: chargingProfileResponseTypeSchema,
  timeout: z.number().int('must be a whole number of seconds').min(0, 'must not be negative'),
});

export const chargingProfileResultSchema = z.object({ result: chargingProfileResultTypeSchema });
export const clearProfileResultSchema = z.object({ result: chargingProfileResultTypeSchema });

/** The answer to a GET: the profile comes with (and only makes sense with) ACCEPTED. */
export const activeChargingProfileResultSchema = z
  .object({
    result: chargingProfileResultTypeSchema,
    profile: optional(activeChargingProfileSchema),
  })
  .superRefine((answer, ctx) => {
    if (answer.result === 'ACCEPTED' && !answer.profile) ctx.addIssue({ code: 'custom', path: ['profile'], message: 'is required when result is ACCEPTED' });
  });

export type ChargingProfile = z.output<typeof chargingProfileSchema>;
export type SetChargingProfile = z.output<typeof setChargingProfileSchema>;
export type ActiveChargingProfile = z.output<typeof activeChargingProfileSchema>;
export type ChargingProfileResponse = z.output<typeof chargingProfileResponseSchema>;
export type ChargingProfileResponseType = z.output<typeof chargingProfileResponseTypeSchema>;
export type ChargingProfileResultType = z.output<typeof chargingProfileResultTypeSchema>;

/** Charging-profile requests travel as commands of these types (SET, GET active, CLEAR). */
export const PROFILE_COMMAND_TYPES = ['SET_CHARGING_PROFILE', 'GET_ACTIVE_CHARGING_PROFILE', 'CLEAR_PROFILE'] as const;
export type ProfileCommandType = (typeof PROFILE_COMMAND_TYPES)[number];
export const isProfileCommand = (type: string): type is ProfileCommandType => (PROFILE_COMMAND_TYPES as readonly string[]).includes(type);
