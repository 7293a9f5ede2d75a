import type { ChargingPreferences } from '@voltmesh/ocpi';
import type { SessionStatus } from './session.js';
import type { ProfileType } from './tariff-choice.js';

export type ChargingPreferencesResult = 'ACCEPTED' | 'DEPARTURE_REQUIRED' | 'ENERGY_NEED_REQUIRED' | 'NOT_POSSIBLE' | 'PROFILE_TYPE_NOT_SUPPORTED';

/** Profiles that plan the charge around the driver's stay: they need to know until when, and how much. */
const PLANNED: ReadonlySet<ProfileType> = new Set(['CHEAP', 'GREEN']);

/**
 * How our CPO answers an eMSP's ChargingPreferences for a session (OCPI 2.2.1 §6.3), after the
 * session was found to be that eMSP's and its EVSE CHARGING_PREFERENCES_CAPABLE. In this order:
 * 1. a session that is not ACTIVE or PENDING (ended, or a reservation): NOT_POSSIBLE;
 * 2. a profile other than REGULAR with no tariff of its type at the connector: PROFILE_TYPE_NOT_SUPPORTED;
 * 3. CHEAP and GREEN plan the charge within the stay: without departure_time DEPARTURE_REQUIRED,
 *    without energy_need ENERGY_NEED_REQUIRED. FAST (as fast as possible) and REGULAR need
 *    neither: they only tell the charger how to charge, not by when;
 * 4. a departure_time not after now cannot be met: NOT_POSSIBLE;
 * else ACCEPTED.
 */
export function decideChargingPreferences(status: SessionStatus, preferences: ChargingPreferences, supported: ReadonlySet<ProfileType>, now: Date): ChargingPreferencesResult {
  if (status !== 'ACTIVE' && status !== 'PENDING') return 'NOT_POSSIBLE';
  if (preferences.profile_type !== 'REGULAR' && !supported.has(preferences.profile_type)) return 'PROFILE_TYPE_NOT_SUPPORTED';
  if (PLANNED.has(preferences.profile_type)) {
    if (preferences.departure_time === undefined) return 'DEPARTURE_REQUIRED';
    if (preferences.energy_need === undefined) return 'ENERGY_NEED_REQUIRED';
  }
  if (preferences.departure_time !== undefined && Date.parse(preferences.departure_time) <= now.getTime()) return 'NOT_POSSIBLE';
  return 'ACCEPTED';
}
