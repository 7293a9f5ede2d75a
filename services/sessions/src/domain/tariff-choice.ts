import type { ChargingPreferences, Tariff } from '@voltmesh/ocpi';

export type ProfileType = ChargingPreferences['profile_type'];

export interface TariffContext {
  /** OCPI TokenType of the session's token: AD_HOC_USER is an ad-hoc (payment terminal) session. */
  tokenType: string;
  /** The session's start: only tariffs valid then are in force. */
  at: string;
  /** The driver's ChargingPreferences profile, when set. */
  profile?: ProfileType | undefined;
}

/**
 * The tariff in force for a session (REFERENCE §8.3 step 1), from the connector's tariffs in
 * the order of its `tariff_ids`:
 * 1. only tariffs valid at the session's start (start_date_time ≤ start < end_date_time, where set);
 * 2. by OCPI TariffType: an ad-hoc session (AD_HOC_USER token) takes an AD_HOC_PAYMENT tariff,
 *    else a REGULAR or untyped one; any other session takes a PROFILE_<type> tariff matching its
 *    ChargingPreferences profile when it has one, else a REGULAR or untyped one. AD_HOC_PAYMENT
 *    never applies to a token session, nor PROFILE_* without that profile;
 * 3. between equals, the first listed on the connector.
 * None left: the session has no tariff (it is not priced; OCPI: an absent total_cost is not "free").
 */
export function chooseTariff(tariffs: readonly Tariff[], context: TariffContext): Tariff | undefined {
  let best: { tariff: Tariff; rank: number } | undefined;
  for (const tariff of tariffs) {
    if (!validAt(tariff, context.at)) continue;
    const rank = rankOf(tariff, context);
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { tariff, rank };
  }
  return best?.tariff;
}

/** The profiles a connector's tariffs support at `at`: REGULAR always, the others with a PROFILE_<type> tariff. */
export function supportedProfiles(tariffs: readonly Tariff[], at: string): Set<ProfileType> {
  const profiles = new Set<ProfileType>(['REGULAR']);
  for (const tariff of tariffs) {
    if (!validAt(tariff, at)) continue;
    if (tariff.type === 'PROFILE_CHEAP') profiles.add('CHEAP');
    if (tariff.type === 'PROFILE_FAST') profiles.add('FAST');
    if (tariff.type === 'PROFILE_GREEN') profiles.add('GREEN');
  }
  return profiles;
}

function validAt(tariff: Tariff, at: string): boolean {
  return (tariff.start_date_time === undefined || tariff.start_date_time <= at) && (tariff.end_date_time === undefined || at < tariff.end_date_time);
}

/** Lower is better; undefined: does not apply to this session. */
function rankOf(tariff: Tariff, context: TariffContext): number | undefined {
  const regular = tariff.type === undefined || tariff.type === 'REGULAR';
  if (context.tokenType === 'AD_HOC_USER') return tariff.type === 'AD_HOC_PAYMENT' ? 0 : regular ? 1 : undefined;
  if (context.profile && context.profile !== 'REGULAR' && tariff.type === `PROFILE_${context.profile}`) return 0;
  return regular ? 1 : undefined;
}
