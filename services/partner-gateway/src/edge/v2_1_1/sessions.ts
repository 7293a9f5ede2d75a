import type { CdrToken, ChargingPeriod, Location, Session, SessionPatch } from '@voltmesh/ocpi';
import type * as v211 from '@voltmesh/ocpi/v2_1_1';
import { internal } from '@voltmesh/errors';
import { LossLog, NotExpressible, type Loss, type Mapped } from '../mapped.js';
import { foldId211, join, locationTo211 } from './locations.js';

/**
 * Sessions between OCPI 2.1.1 (wire) and 2.2.1 (our model).
 *
 * Renames: start_date_time ↔ start_datetime, end_date_time ↔ end_datetime, cdr_token.contract_id
 * ↔ auth_id, location_id/evse_uid/connector_id ↔ the embedded Location (with only that EVSE and
 * connector), total_cost Price ↔ number (excl. VAT). Not in the 2.1.1 body, and not a loss:
 * country_code/party_id, which a 2.1.1 Session PUT/PATCH carries in its URL
 * (`/sessions/{country_code}/{party_id}/{session_id}`); inbound the caller passes them.
 */

/** What 2.2.1 needs and a 2.1.1 Session lacks: the CPO (from the URL) and the token `auth_id` names. */
export interface SessionContext211 {
  countryCode: string;
  partyId: string;
  /** The token the 2.1.1 `auth_id` names, resolved by the caller (2.1.1 Token.auth_id = 2.2.1 contract_id). */
  cdrToken: CdrToken;
}

type Price = NonNullable<Session['total_cost']>;
type AuthMethod = Session['auth_method'];
type DimensionType = ChargingPeriod['dimensions'][number]['type'];

/** 2.1.1 has no COMMAND: a session started by a remote StartSession was authorised by the eMSP. */
export function authMethodTo211(method: AuthMethod, field: string, log: LossLog): v211.AuthMethod {
  switch (method) {
    case 'AUTH_REQUEST':
    case 'WHITELIST':
      return method;
    case 'COMMAND':
      log.lose(field, 'COMMAND is not a 2.1.1 AuthMethod; sent as AUTH_REQUEST (the eMSP authorised the start)');
      return 'AUTH_REQUEST';
  }
}

/** 2.1.1 money is one number, excl. VAT; the incl. VAT figure has no place. */
export function priceTo211(price: Price, field: string, log: LossLog): number {
  if (price.incl_vat !== undefined) log.lose(join(field, 'incl_vat'), '2.1.1 costs are excl. VAT only');
  return price.excl_vat;
}

/** A 2.1.1 cost (excl. VAT) as a Price; incl_vat stays unknown, it is not computed here. */
export const priceFrom211 = (excludingVat: number): Price => ({ excl_vat: excludingVat });

/** The 2.2.1 dimension as 2.1.1 names it, or undefined where 2.1.1 has no such dimension. */
function dimensionTypeTo211(type: DimensionType): v211.CdrDimensionType | undefined {
  switch (type) {
    case 'ENERGY':
    case 'MAX_CURRENT':
    case 'MIN_CURRENT':
    case 'PARKING_TIME':
    case 'TIME':
      return type;
    case 'CURRENT':
    case 'ENERGY_EXPORT':
    case 'ENERGY_IMPORT':
    case 'MAX_POWER':
    case 'MIN_POWER':
    case 'POWER':
    case 'RESERVATION_TIME':
    case 'STATE_OF_CHARGE':
      return undefined;
  }
}

/** FLAT (a flat fee was applied, no unit) has no 2.2.1 dimension: 2.2.1 shows it in total_fixed_cost. */
function dimensionTypeFrom211(type: v211.CdrDimensionType): DimensionType | undefined {
  switch (type) {
    case 'ENERGY':
    case 'MAX_CURRENT':
    case 'MIN_CURRENT':
    case 'PARKING_TIME':
    case 'TIME':
      return type;
    case 'FLAT':
      return undefined;
  }
}

/**
 * Charging periods for 2.1.1: tariff_id and the dimensions 2.1.1 lacks are losses. A period left
 * without a dimension is left out (2.1.1 requires one; the loss names it), so the period before
 * it seems to last until the next one starts.
 */
export function chargingPeriodsTo211(periods: readonly ChargingPeriod[], prefix: string, log: LossLog): v211.ChargingPeriod[] {
  const out: v211.ChargingPeriod[] = [];
  periods.forEach((period, index) => {
    const at = join(prefix, `charging_periods[${index}]`);
    const dimensions: v211.CdrDimension[] = [];
    const lost: Loss[] = [];
    period.dimensions.forEach((dimension, dimensionIndex) => {
      const type = dimensionTypeTo211(dimension.type);
      if (type !== undefined) dimensions.push({ type, volume: dimension.volume });
      else lost.push({ field: `${at}.dimensions[${dimensionIndex}]`, reason: `${dimension.type} is not a 2.1.1 CdrDimensionType` });
    });
    if (dimensions.length === 0) {
      log.lose(at, `period left out: none of its dimensions (${period.dimensions.map((d) => d.type).join(', ')}) exists in 2.1.1`);
      return;
    }
    log.losses.push(...lost);
    if (period.tariff_id !== undefined) log.lose(`${at}.tariff_id`, '2.1.1 ChargingPeriod has no tariff_id');
    out.push({ start_date_time: period.start_date_time, dimensions });
  });
  return out;
}

/** Charging periods from 2.1.1: FLAT dimensions are losses, a period left empty is left out. */
export function chargingPeriodsFrom211(periods: readonly v211.ChargingPeriod[], prefix: string, log: LossLog): ChargingPeriod[] {
  const out: ChargingPeriod[] = [];
  periods.forEach((period, index) => {
    const at = join(prefix, `charging_periods[${index}]`);
    const dimensions: ChargingPeriod['dimensions'] = [];
    const lost: Loss[] = [];
    period.dimensions.forEach((dimension, dimensionIndex) => {
      const type = dimensionTypeFrom211(dimension.type);
      if (type !== undefined) dimensions.push({ type, volume: dimension.volume });
      else lost.push({ field: `${at}.dimensions[${dimensionIndex}]`, reason: `${dimension.type} is not a 2.2.1 CdrDimensionType (a flat fee shows in total_fixed_cost)` });
    });
    if (dimensions.length === 0) {
      log.lose(at, `period left out: none of its dimensions (${period.dimensions.map((d) => d.type).join(', ')}) exists in 2.2.1`);
      return;
    }
    log.losses.push(...lost);
    out.push({ start_date_time: period.start_date_time, dimensions });
  });
  return out;
}

/** The CdrToken fields 2.1.1 does not carry: it names the token by auth_id (= contract_id) only. */
export function loseTokenDetails(log: LossLog): void {
  log.lose('cdr_token.uid', '2.1.1 names the token by auth_id (the contract_id) only');
  log.lose('cdr_token.type', '2.1.1 names the token by auth_id (the contract_id) only');
  log.lose('cdr_token.country_code', '2.1.1 names the token by auth_id (the contract_id) only');
  log.lose('cdr_token.party_id', '2.1.1 names the token by auth_id (the contract_id) only');
}

/** The caller resolved `auth_id` to a token; a token for another contract is a bug, not data. */
export function checkTokenNamesAuthId(cdrToken: CdrToken, authId: string): void {
  if (cdrToken.contract_id.toUpperCase() !== authId.toUpperCase()) {
    throw internal(`the token passed for 2.1.1 auth_id ${authId} has contract_id ${cdrToken.contract_id}`);
  }
}

/**
 * location_id/evse_uid/connector_id of the Location a 2.1.1 Session or CDR embeds (the schema
 * ensures it holds one EVSE with one connector). Ids longer than 2.2.1 allows are not expressible.
 */
export function referencesFrom211(location: v211.Location, log: LossLog): { location_id: string; evse_uid: string; connector_id: string } {
  const evse = location.evses[0];
  const connector = evse?.connectors[0];
  if (evse === undefined || connector === undefined) throw new NotExpressible([{ field: 'location.evses', reason: 'names no EVSE and connector' }]);
  return {
    location_id: foldId211(location.id, 36, 'location.id', log),
    evse_uid: foldId211(evse.uid, 36, 'location.evses[0].uid', log),
    connector_id: foldId211(connector.id, 36, 'location.evses[0].connectors[0].id', log),
  };
}

/**
 * 2.1.1 knows no reserved-but-not-started session. Sent as PENDING the partner would take the
 * reservation for a charge about to start (at an EVSE that may be `#NA`): not sent; the session
 * reaches the partner when it turns ACTIVE or COMPLETED.
 */
function statusTo211(status: Session['status']): v211.SessionStatus {
  switch (status) {
    case 'ACTIVE':
    case 'COMPLETED':
    case 'INVALID':
    case 'PENDING':
      return status;
    case 'RESERVATION':
      throw new NotExpressible([{ field: 'status', reason: 'RESERVATION is not a 2.1.1 SessionStatus; sent once the session is ACTIVE or COMPLETED' }]);
  }
}

/** Drops keys whose value is undefined, so a mapped object equals the same object parsed. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function embeddedLocation(location: Location, ids: { location_id: string; evse_uid: string; connector_id: string }, log: LossLog): v211.Location {
  if (location.id !== ids.location_id) throw internal(`the Location passed (${location.id}) is not the session's (${ids.location_id})`);
  const embedded = locationTo211(location, { evseUid: ids.evse_uid, connectorId: ids.connector_id });
  // The embedded Location comes from the Location object, so its losses are named `location.<field>`.
  embedded.losses.forEach((loss: Loss) => log.lose(join('location', loss.field), loss.reason));
  return embedded.value;
}

/**
 * A Session for a 2.1.1 eMSP. `location` is our Location of `session.location_id`; the session
 * embeds it with the session's EVSE and connector only.
 */
export function sessionTo211(session: Session, location: Location): Mapped<v211.Session> {
  const log = new LossLog();
  const status = statusTo211(session.status);
  loseTokenDetails(log);
  if (session.authorization_reference !== undefined) log.lose('authorization_reference', 'no authorization_reference in 2.1.1');
  const value: v211.Session = defined({
    id: session.id,
    start_datetime: session.start_date_time,
    end_datetime: session.end_date_time,
    kwh: session.kwh,
    auth_id: session.cdr_token.contract_id,
    auth_method: authMethodTo211(session.auth_method, 'auth_method', log),
    location: embeddedLocation(location, session, log),
    meter_id: session.meter_id,
    currency: session.currency,
    charging_periods: chargingPeriodsTo211(session.charging_periods, '', log),
    total_cost: session.total_cost && priceTo211(session.total_cost, 'total_cost', log),
    status,
    last_updated: session.last_updated,
  });
  return log.mapped(value);
}

/** A 2.1.1 Session in our model; owner and token come from the caller (URL, token lookup). */
export function sessionFrom211(session: v211.Session, context: SessionContext211): Mapped<Session> {
  const log = new LossLog();
  checkTokenNamesAuthId(context.cdrToken, session.auth_id);
  if (session.kwh < 0) throw new NotExpressible([{ field: 'kwh', reason: `${session.kwh}: 2.2.1 kWh are never negative` }]);
  const value: Session = defined({
    country_code: context.countryCode.toUpperCase(),
    party_id: context.partyId.toUpperCase(),
    id: foldId211(session.id, 36, 'id', log),
    start_date_time: session.start_datetime,
    end_date_time: session.end_datetime,
    kwh: session.kwh,
    cdr_token: tokenCopy(context.cdrToken),
    auth_method: session.auth_method,
    ...referencesFrom211(session.location, log),
    meter_id: session.meter_id,
    currency: session.currency,
    charging_periods: chargingPeriodsFrom211(session.charging_periods, '', log),
    total_cost: session.total_cost === undefined ? undefined : priceFrom211(session.total_cost),
    status: session.status,
    last_updated: session.last_updated,
  });
  return log.mapped(value);
}

export const tokenCopy = (token: CdrToken): CdrToken => ({
  country_code: token.country_code,
  party_id: token.party_id,
  uid: token.uid,
  type: token.type,
  contract_id: token.contract_id,
});

/**
 * A 2.2.1 Session PATCH for a 2.1.1 eMSP.
 *
 * A 2.1.1 PATCH replaces every field it carries, lists included, while a 2.2.1 PATCH appends its
 * charging_periods: the caller must put ALL the session's charging periods (stored + new) in
 * `patch.charging_periods`, or the partner loses the earlier ones.
 *
 * A 2.1.1 PATCH embeds the whole Location: location_id, evse_uid and connector_id change together,
 * with `location` (our Location of that id), or not at all.
 */
export function sessionPatchTo211(patch: SessionPatch, location?: Location): Mapped<v211.SessionPatch> {
  const log = new LossLog();
  const status = patch.status === undefined ? undefined : statusTo211(patch.status);
  if (patch.cdr_token !== undefined) loseTokenDetails(log);
  if (patch.authorization_reference !== undefined) log.lose('authorization_reference', 'no authorization_reference in 2.1.1');
  let embedded: v211.Location | undefined;
  const { location_id, evse_uid, connector_id } = patch;
  if (location_id !== undefined || evse_uid !== undefined || connector_id !== undefined) {
    if (location_id === undefined || evse_uid === undefined || connector_id === undefined || location === undefined) {
      throw new NotExpressible([
        { field: 'location_id', reason: 'a 2.1.1 PATCH carries the whole embedded Location: location_id, evse_uid and connector_id with the Location, or none' },
      ]);
    }
    embedded = embeddedLocation(location, { location_id, evse_uid, connector_id }, log);
  }
  const value: v211.SessionPatch = defined({
    id: patch.id,
    start_datetime: patch.start_date_time,
    end_datetime: patch.end_date_time,
    kwh: patch.kwh,
    auth_id: patch.cdr_token?.contract_id,
    auth_method: patch.auth_method && authMethodTo211(patch.auth_method, 'auth_method', log),
    location: embedded,
    meter_id: patch.meter_id,
    currency: patch.currency,
    charging_periods: patch.charging_periods && chargingPeriodsTo211(patch.charging_periods, '', log),
    total_cost: patch.total_cost && priceTo211(patch.total_cost, 'total_cost', log),
    status,
    last_updated: patch.last_updated,
  });
  return log.mapped(value);
}

/** What a 2.1.1 Session PATCH lacks and 2.2.1 needs. */
export interface SessionPatchContext211 {
  /**
   * 2.2.1 requires last_updated in a PATCH, 2.1.1 does not (its own example is `{"total_cost": 0.60}`):
   * used when the PATCH has none, the time the gateway received it.
   */
  receivedAt: string;
  /** The token a PATCHed `auth_id` names, resolved by the caller; needed only when auth_id is sent. */
  cdrToken?: CdrToken;
}

/**
 * A 2.1.1 Session PATCH in our model. Its charging_periods are the session's complete list (a
 * 2.1.1 PATCH replaces lists), not periods to append: the caller must replace the stored list.
 */
export function sessionPatchFrom211(patch: v211.SessionPatch, context: SessionPatchContext211): Mapped<SessionPatch> {
  const log = new LossLog();
  let cdrToken: CdrToken | undefined;
  if (patch.auth_id !== undefined) {
    if (context.cdrToken === undefined) throw internal('a 2.1.1 Session PATCH with auth_id needs the token it names');
    checkTokenNamesAuthId(context.cdrToken, patch.auth_id);
    cdrToken = tokenCopy(context.cdrToken);
  }
  if (patch.kwh !== undefined && patch.kwh < 0) throw new NotExpressible([{ field: 'kwh', reason: `${patch.kwh}: 2.2.1 kWh are never negative` }]);
  const value: SessionPatch = defined({
    id: patch.id === undefined ? undefined : foldId211(patch.id, 36, 'id', log),
    start_date_time: patch.start_datetime,
    end_date_time: patch.end_datetime,
    kwh: patch.kwh,
    cdr_token: cdrToken,
    auth_method: patch.auth_method,
    ...(patch.location && referencesFrom211(patch.location, log)),
    meter_id: patch.meter_id,
    currency: patch.currency,
    charging_periods: patch.charging_periods && chargingPeriodsFrom211(patch.charging_periods, '', log),
    total_cost: patch.total_cost === undefined ? undefined : priceFrom211(patch.total_cost),
    status: patch.status,
    last_updated: patch.last_updated ?? context.receivedAt,
  });
  return log.mapped(value);
}
