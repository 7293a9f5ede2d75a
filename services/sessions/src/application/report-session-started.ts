import type { z } from 'zod';
import type { OwnParty } from '@voltmesh/config';
import { AppError, failedPrecondition, invalidArgument } from '@voltmesh/errors';
import { authMethodSchema, ciString, ocpiString } from '@voltmesh/ocpi';
import type { sessionService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { LocationClient } from '../adapters/location-client.js';
import type { SessionStore } from '../adapters/session-store.js';
import type { TariffClient } from '../adapters/tariff-client.js';
import type { TokenClient } from '../adapters/token-client.js';
import { chargingPoint } from '../domain/cdr-location.js';
import { partyKey, type Party } from '../domain/command.js';
import { startCpoSession, startDifferences, type TariffSnapshot } from '../domain/cpo-session.js';
import { sessionKey, type SessionRecord, type StartFacts } from '../domain/session.js';
import { chooseTariff } from '../domain/tariff-choice.js';
import { ownParty, requiredParty, tokenType } from './request-fields.js';
import { idField, instantField, statusField } from './session-fields.js';
import type { SessionWriteResult, SessionWriter } from './session-writer.js';

export interface StartDeps {
  writer: Pick<SessionWriter, 'update' | 'read'>;
  store: Pick<SessionStore, 'get'>;
  tokens: Pick<TokenClient, 'findToken'>;
  locations: Pick<LocationClient, 'find'>;
  tariffs: Pick<TariffClient, 'find'>;
  ownParties: readonly OwnParty[];
  defaultCurrency: string;
  logger: Logger;
  now?: () => Date;
}

/**
 * Our CSMS reports a session started at one of our chargers. The token comes from the
 * authorization service (its cdr_token: party, uid, type, contract_id), the location from the
 * locations service (the CdrLocation snapshot and the zone), the tariff in force from the
 * connector's tariffs (see chooseTariff; its JSON is kept as the session's tariff snapshot).
 * Idempotent by (cpo, session_id): the same start again returns the stored session unchanged; a
 * start with the same id and other fields is ALREADY_EXISTS naming them.
 */
export async function reportSessionStarted(deps: StartDeps, request: sessionService.ReportSessionStartedRequest): Promise<SessionWriteResult> {
  const cpo = ownParty(request.cpo, deps.ownParties, 'CPO', 'cpo');
  const id = idField(request.sessionId, 'session_id');
  const start = startFacts(request);
  const key = sessionKey(cpo, id);
  const replayOf = (stored: SessionRecord): boolean => {
    if (stored.role !== 'CPO') throw new AppError('ALREADY_EXISTS', `session ${key} exists already as a partner's session`);
    const different = startDifferences(stored.cpoFacts?.start ?? start, start);
    if (different.length > 0) throw new AppError('ALREADY_EXISTS', `session ${key} was started already with other ${different.join(', ')}`);
    return true;
  };

  // A replay needs no lookups: answer it from the store.
  const existing = await deps.store.get(key);
  if (existing?.record && replayOf(existing.record)) return { stored: existing, changed: false, session: await deps.writer.read(existing) };

  const tokenPartyRef = requiredParty(request.tokenParty, 'token_party');
  const [token, location] = await Promise.all([deps.tokens.findToken(tokenPartyRef, start.tokenUid, start.tokenType), deps.locations.find(cpo, start.locationId)]);
  if (!token) throw failedPrecondition(`token_uid: the authorization service knows no token ${start.tokenUid} (${start.tokenType}) of ${start.tokenParty}: the CSMS must have authorized it`);
  if (!location) throw failedPrecondition(`location_id: the locations service knows no location ${start.locationId} of ${partyKey(cpo)}`);
  const point = chargingPoint(location, start.evseUid, start.connectorId);
  const tariff = await tariffInForce(deps, cpo, point.connector.tariff_ids, start);
  const now = (deps.now ?? (() => new Date()))();
  const record = startCpoSession({
    cpo,
    id,
    start,
    token: {
      party: { countryCode: token.token.country_code, partyId: token.token.party_id },
      uid: token.token.uid,
      type: token.token.type,
      contractId: token.token.contract_id,
      connectionId: token.own ? '' : token.connectionId,
    },
    cdrLocation: point.cdrLocation,
    timeZone: point.timeZone,
    tariff,
    defaultCurrency: deps.defaultCurrency,
    now,
  });

  return deps.writer.update(key, async (current) => {
    if (current?.record && replayOf(current.record)) return { changed: false };
    // A claim (the partner's START_SESSION, reported before the session) stays with the session.
    return { changed: true, record, claim: current?.claim };
  });
}

/** The request's start fields, checked and normalised (ids upper case, times in our OCPI form). */
function startFacts(request: sessionService.ReportSessionStartedRequest): StartFacts {
  const party: Party | undefined = request.tokenParty?.countryCode || request.tokenParty?.partyId ? requiredParty(request.tokenParty, 'token_party') : undefined;
  if (!party) throw invalidArgument('token_party: required (the eMSP that issued the token)');
  const authMethod = authMethodSchema.safeParse(request.authMethod.toUpperCase());
  if (!authMethod.success) throw invalidArgument(`auth_method: must be one of ${authMethodSchema.options.join(', ')}`);
  return {
    tokenParty: partyKey(party),
    tokenUid: idField(request.tokenUid, 'token_uid'),
    tokenType: tokenType(request.tokenType, 'token_type'),
    authMethod: authMethod.data,
    authorizationReference: request.authorizationReference ? checked(ciString(36), request.authorizationReference, 'authorization_reference') : '',
    locationId: idField(request.locationId, 'location_id'),
    evseUid: idField(request.evseUid, 'evse_uid'),
    connectorId: idField(request.connectorId, 'connector_id'),
    meterId: request.meterId ? checked(ocpiString(255), request.meterId, 'meter_id') : '',
    startDateTime: instantField(request.startDateTime, 'start_date_time'),
    status: statusField(request.status, ['ACTIVE', 'PENDING', 'RESERVATION'] as const, 'status', 'ACTIVE'),
  };
}

function checked(schema: z.ZodType<string>, value: string, field: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidArgument(`${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The connector's tariffs as the tariffs service holds them (an id it does not know is skipped, logged), and the one in force. */
async function tariffInForce(deps: StartDeps, cpo: Party, ids: readonly string[], start: StartFacts): Promise<TariffSnapshot | undefined> {
  const found = await Promise.all(ids.map((tariffId) => deps.tariffs.find(cpo, tariffId)));
  ids.forEach((tariffId, index) => {
    if (!found[index]) deps.logger.warn({ tariff_id: tariffId, location_id: start.locationId, connector_id: start.connectorId }, 'a connector names a tariff the tariffs service does not hold');
  });
  const known = found.filter((tariff) => tariff !== undefined);
  const chosen = chooseTariff(
    known.map((candidate) => candidate.tariff),
    { tokenType: start.tokenType, at: start.startDateTime },
  );
  const snapshot = chosen && known.find((candidate) => candidate.tariff === chosen);
  if (!snapshot) {
    if (known.length > 0) deps.logger.warn({ location_id: start.locationId, connector_id: start.connectorId }, 'no tariff of the connector applies to this session: it is not priced');
    return undefined;
  }
  return { id: snapshot.tariff.id, currency: snapshot.tariff.currency, json: snapshot.json };
}
