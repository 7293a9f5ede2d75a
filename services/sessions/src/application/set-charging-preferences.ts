import type { OwnParty } from '@voltmesh/config';
import { failedPrecondition, notFound } from '@voltmesh/errors';
import { chargingPreferencesSchema, parseJsonField, sameContent } from '@voltmesh/ocpi';
import type { sessionService } from '@voltmesh/proto';
import type { LocationClient } from '../adapters/location-client.js';
import type { SessionStore } from '../adapters/session-store.js';
import type { TariffClient } from '../adapters/tariff-client.js';
import { decideChargingPreferences, type ChargingPreferencesResult } from '../domain/charging-preferences.js';
import { sameParty } from '../domain/command.js';
import { cpoFactsOf, stamped, withPreferences } from '../domain/cpo-session.js';
import { sessionKey, type SessionRecord } from '../domain/session.js';
import { supportedProfiles, type ProfileType } from '../domain/tariff-choice.js';
import { ownParty, requiredParty } from './request-fields.js';
import { idField } from './session-fields.js';
import type { SessionWriter } from './session-writer.js';

export interface PreferencesDeps {
  writer: Pick<SessionWriter, 'update'>;
  store: Pick<SessionStore, 'get'>;
  locations: Pick<LocationClient, 'find'>;
  tariffs: Pick<TariffClient, 'find'>;
  ownParties: readonly OwnParty[];
  now?: () => Date;
}

/**
 * A partner eMSP PUT ChargingPreferences on one of our CPO's sessions (the gateway hands it
 * over). NOT_FOUND for an unknown session and, so as not to reveal it, for a session that is
 * not that eMSP's (the token's eMSP party and, for a partner's token, the connection that pushed
 * it); FAILED_PRECONDITION "EVSE … is not CHARGING_PREFERENCES_CAPABLE" (the gateway answers
 * HTTP 404 + 2001). Otherwise the OCPI ChargingPreferencesResponse (decideChargingPreferences);
 * ACCEPTED preferences are stored on the session (a change publishes SessionChanged; the OCPI
 * Session itself, and its last_updated, do not change).
 */
export async function setChargingPreferences(deps: PreferencesDeps, request: sessionService.SetChargingPreferencesRequest): Promise<ChargingPreferencesResult> {
  const cpo = ownParty(request.cpo, deps.ownParties, 'CPO', 'cpo');
  const key = sessionKey(cpo, idField(request.sessionId, 'session_id'));
  const emsp = requiredParty(request.emsp, 'emsp');
  const preferences = parseJsonField(chargingPreferencesSchema, request.preferencesJson, 'preferences_json');
  const holds = (record: SessionRecord | undefined): record is SessionRecord => {
    if (record?.role !== 'CPO' || !sameParty(record.emsp, emsp)) return false;
    const tokenConnection = cpoFactsOf(record).tokenConnectionId;
    return !tokenConnection || tokenConnection === request.connectionId;
  };

  const record = (await deps.store.get(key))?.record;
  if (!holds(record)) throw notFound(`unknown session ${key}`);
  const location = await deps.locations.find(cpo, record.ocpi.location_id);
  const evse = location?.evses.find((candidate) => candidate.uid.toUpperCase() === record.ocpi.evse_uid.toUpperCase());
  if (!evse?.capabilities.includes('CHARGING_PREFERENCES_CAPABLE')) {
    throw failedPrecondition(`EVSE ${record.ocpi.evse_uid} is not CHARGING_PREFERENCES_CAPABLE${evse ? '' : ' (its location no longer lists it)'}`);
  }
  const now = (deps.now ?? (() => new Date()))();
  let supported: ReadonlySet<ProfileType> = new Set(['REGULAR']);
  if (preferences.profile_type !== 'REGULAR') {
    const connector = evse.connectors.find((candidate) => candidate.id.toUpperCase() === record.ocpi.connector_id.toUpperCase());
    const tariffs = await Promise.all((connector?.tariff_ids ?? []).map((id) => deps.tariffs.find(cpo, id)));
    supported = supportedProfiles(
      tariffs.filter((found) => found !== undefined).map((found) => found.tariff),
      now.toISOString(),
    );
  }

  let result: ChargingPreferencesResult = 'NOT_POSSIBLE';
  await deps.writer.update(
    key,
    async (current) => {
      const latest = current?.record;
      if (!current || !holds(latest)) throw notFound(`unknown session ${key}`);
      // Decided on the session as it is under the lock: it may have ended meanwhile.
      result = decideChargingPreferences(latest.ocpi.status, preferences, supported, now);
      if (result !== 'ACCEPTED' || sameContent(cpoFactsOf(latest).preferences, preferences)) return { changed: false };
      return { changed: true, record: stamped(withPreferences(latest, preferences), now, false), claim: current.claim };
    },
    false,
  );
  return result;
}
