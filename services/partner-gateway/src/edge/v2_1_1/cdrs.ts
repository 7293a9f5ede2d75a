import type { Cdr, CdrLocation, CdrToken, Location, Tariff } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { LossLog, NotExpressible, type Loss, type Mapped } from '../mapped.js';
import { coordinateTo211, foldId211, join } from './locations.js';
import {
  authMethodTo211,
  chargingPeriodsFrom211,
  chargingPeriodsTo211,
  checkTokenNamesAuthId,
  defined,
  loseTokenDetails,
  priceFrom211,
  priceTo211,
  referencesFrom211,
  tokenCopy,
} from './sessions.js';
import { tariffFrom211, tariffTo211 } from './tariffs.js';

/**
 * CDRs between OCPI 2.1.1 (wire) and 2.2.1 (our model).
 *
 * Renames: end_date_time ↔ stop_date_time, cdr_token.contract_id ↔ auth_id, cdr_location ↔ the
 * embedded Location (one EVSE, one connector), total_cost Price ↔ number (excl. VAT). Not in the
 * 2.1.1 body and not a loss: country_code/party_id, the CPO of the connection (a 2.1.1 connection
 * is one party; the CDRs URL names none), passed back in by the caller.
 *
 * Outbound the CDR's total_cost is what the eMSP pays: whatever would change it or its sign
 * (a credit CDR, a negative total) makes the CDR NotExpressible; what only explains it (the cost
 * breakdown, a tariff 2.1.1 cannot state, signed meter data) is a loss.
 */

/** What 2.2.1 needs and a 2.1.1 CDR lacks: the CPO (the connection's party) and the token `auth_id` names. */
export interface CdrContext211 {
  countryCode: string;
  partyId: string;
  /** The token the 2.1.1 `auth_id` names, resolved by the caller (2.1.1 Token.auth_id = 2.2.1 contract_id). */
  cdrToken: CdrToken;
}

/** What a 2.1.1 CDR needs and a 2.2.1 CDR lacks. */
export interface CdrTo211Context {
  /**
   * voltage and amperage of the connector used: required in a 2.1.1 Connector, not part of a
   * 2.2.1 CdrLocation. The caller passes the connector's max_voltage/max_amperage when it still
   * knows them; without them the CDR still goes out (its total_cost is what matters), with 0
   * and a loss, rather than not at all.
   */
  connector?: { voltage: number; amperage: number };
}

const CONNECTOR_TYPES_211: ReadonlySet<string> = new Set(v211.CONNECTOR_TYPES);
const POWER_TYPES_211: ReadonlySet<string> = new Set(v211.POWER_TYPES);

/**
 * The 2.1.1 Location a CDR embeds, built from the CdrLocation snapshot (no lookup: the Location may
 * have changed since). What the snapshot does not hold and 2.1.1 requires is stated as unknown where
 * 2.1.1 has a word for it (type UNKNOWN, EVSE status UNKNOWN); the snapshot's time is the CDR's.
 */
function cdrLocationTo211(location: CdrLocation, lastUpdated: string, context: CdrTo211Context, log: LossLog): v211.Location {
  const refused: Loss[] = [];
  // The same rule as for Locations: a connector with another plug or phase count would mislead.
  if (!CONNECTOR_TYPES_211.has(location.connector_standard)) {
    refused.push({ field: 'cdr_location.connector_standard', reason: `${location.connector_standard} is not a 2.1.1 ConnectorType` });
  }
  if (!POWER_TYPES_211.has(location.connector_power_type)) {
    refused.push({ field: 'cdr_location.connector_power_type', reason: `${location.connector_power_type} is not a 2.1.1 PowerType` });
  }
  if (refused.length > 0) throw new NotExpressible(refused);
  let postalCode = location.postal_code;
  if (postalCode === undefined) {
    // As locationTo211 does: required in 2.1.1, absent in 2.2.1 only where the place has none.
    postalCode = '';
    log.lose('cdr_location.postal_code', 'the place has no postal code; 2.1.1 requires one, sent as an empty string');
  }
  if (location.state !== undefined) log.lose('cdr_location.state', 'no state in 2.1.1');
  if (context.connector === undefined) {
    log.lose('cdr_location.connector_id', 'a 2.1.1 Connector requires voltage and amperage, which a CdrLocation lacks and the caller did not pass: sent as 0');
  }
  const connector: v211.Connector = {
    id: location.connector_id,
    standard: location.connector_standard as v211.Connector['standard'],
    format: location.connector_format,
    power_type: location.connector_power_type as v211.Connector['power_type'],
    voltage: context.connector?.voltage ?? 0,
    amperage: context.connector?.amperage ?? 0,
    last_updated: lastUpdated,
  };
  const evse: v211.Evse = {
    uid: location.evse_uid,
    evse_id: location.evse_id,
    status: 'UNKNOWN',
    status_schedule: [],
    capabilities: [],
    connectors: [connector],
    directions: [],
    parking_restrictions: [],
    images: [],
    last_updated: lastUpdated,
  };
  return defined({
    id: location.id,
    type: 'UNKNOWN',
    name: location.name,
    address: location.address,
    city: location.city,
    postal_code: postalCode,
    country: location.country,
    coordinates: {
      latitude: coordinateTo211(location.coordinates.latitude, 'cdr_location.coordinates.latitude', log),
      longitude: coordinateTo211(location.coordinates.longitude, 'cdr_location.coordinates.longitude', log),
    },
    related_locations: [],
    evses: [evse],
    directions: [],
    facilities: [],
    images: [],
    last_updated: lastUpdated,
  } satisfies v211.Location);
}

/** A value of the embedded 2.1.1 Location that a CdrLocation has no field for. */
function loseUnless(log: LossLog, field: string, value: unknown, keptWhen: (value: unknown) => boolean, reason: string): void {
  if (value === undefined || keptWhen(value)) return;
  log.lose(field, reason);
}

const empty = (value: unknown): boolean => Array.isArray(value) && value.length === 0;
const NO_FIELD = 'a 2.2.1 CdrLocation has no such field';

/** The CdrLocation of a 2.1.1 CDR's embedded Location; what it cannot hold is a loss, field by field. */
function cdrLocationFrom211(location: v211.Location, cdrLastUpdated: string, log: LossLog): CdrLocation {
  const evse = location.evses[0];
  const connector = evse?.connectors[0];
  if (evse === undefined || connector === undefined) throw new NotExpressible([{ field: 'location.evses', reason: 'names no EVSE and connector' }]);
  if (evse.evse_id === undefined) throw new NotExpressible([{ field: 'location.evses[0].evse_id', reason: 'optional in 2.1.1, required in a 2.2.1 CdrLocation' }]);
  const ids = referencesFrom211(location, log);
  const sameTime = (value: unknown): boolean => value === cdrLastUpdated;
  loseUnless(log, 'location.type', location.type, (type) => type === 'UNKNOWN', NO_FIELD);
  loseUnless(log, 'location.related_locations', location.related_locations, empty, NO_FIELD);
  loseUnless(log, 'location.directions', location.directions, empty, NO_FIELD);
  loseUnless(log, 'location.operator', location.operator, () => false, NO_FIELD);
  loseUnless(log, 'location.suboperator', location.suboperator, () => false, NO_FIELD);
  loseUnless(log, 'location.owner', location.owner, () => false, NO_FIELD);
  loseUnless(log, 'location.facilities', location.facilities, empty, NO_FIELD);
  loseUnless(log, 'location.time_zone', location.time_zone, () => false, NO_FIELD);
  loseUnless(log, 'location.opening_times', location.opening_times, () => false, NO_FIELD);
  loseUnless(log, 'location.charging_when_closed', location.charging_when_closed, () => false, NO_FIELD);
  loseUnless(log, 'location.images', location.images, empty, NO_FIELD);
  loseUnless(log, 'location.energy_mix', location.energy_mix, () => false, NO_FIELD);
  loseUnless(log, 'location.last_updated', location.last_updated, sameTime, `${NO_FIELD} (the CDR's last_updated stands for it)`);
  const atEvse = 'location.evses[0]';
  loseUnless(log, `${atEvse}.status`, evse.status, (status) => status === 'UNKNOWN', NO_FIELD);
  loseUnless(log, `${atEvse}.status_schedule`, evse.status_schedule, empty, NO_FIELD);
  loseUnless(log, `${atEvse}.capabilities`, evse.capabilities, empty, NO_FIELD);
  loseUnless(log, `${atEvse}.floor_level`, evse.floor_level, () => false, NO_FIELD);
  loseUnless(log, `${atEvse}.coordinates`, evse.coordinates, () => false, NO_FIELD);
  loseUnless(log, `${atEvse}.physical_reference`, evse.physical_reference, () => false, NO_FIELD);
  loseUnless(log, `${atEvse}.directions`, evse.directions, empty, NO_FIELD);
  loseUnless(log, `${atEvse}.parking_restrictions`, evse.parking_restrictions, empty, NO_FIELD);
  loseUnless(log, `${atEvse}.images`, evse.images, empty, NO_FIELD);
  loseUnless(log, `${atEvse}.last_updated`, evse.last_updated, sameTime, `${NO_FIELD} (the CDR's last_updated stands for it)`);
  const atConnector = `${atEvse}.connectors[0]`;
  loseUnless(log, `${atConnector}.voltage`, connector.voltage, () => false, NO_FIELD);
  loseUnless(log, `${atConnector}.amperage`, connector.amperage, () => false, NO_FIELD);
  loseUnless(log, `${atConnector}.tariff_id`, connector.tariff_id, () => false, `${NO_FIELD} (the CDR's tariffs list the tariffs applied)`);
  loseUnless(log, `${atConnector}.terms_and_conditions`, connector.terms_and_conditions, () => false, NO_FIELD);
  loseUnless(log, `${atConnector}.last_updated`, connector.last_updated, sameTime, `${NO_FIELD} (the CDR's last_updated stands for it)`);
  return defined({
    id: ids.location_id,
    name: location.name,
    address: location.address,
    city: location.city,
    // An empty postal code is how a 2.1.1 party says there is none: 2.2.1 leaves it out.
    postal_code: location.postal_code === '' ? undefined : location.postal_code,
    country: location.country,
    coordinates: { latitude: location.coordinates.latitude, longitude: location.coordinates.longitude },
    evse_uid: ids.evse_uid,
    evse_id: foldId211(evse.evse_id, 48, `${atEvse}.evse_id`, log),
    connector_id: ids.connector_id,
    connector_standard: connector.standard,
    connector_format: connector.format,
    connector_power_type: connector.power_type,
  } satisfies CdrLocation);
}

/**
 * The tariffs a 2.1.1 CDR lists. A tariff 2.1.1 cannot state (a VAT rate, a price cap, a tariff
 * type: tariffTo211 refuses those) is left out with a loss, the CDR is still sent: its total_cost
 * is the price, already settled; the tariffs only explain it.
 */
function tariffsTo211(tariffs: readonly Tariff[], log: LossLog): v211.Tariff[] {
  const out: v211.Tariff[] = [];
  tariffs.forEach((tariff, index) => {
    const at = `tariffs[${index}]`;
    try {
      const mapped = tariffTo211(tariff);
      mapped.losses.forEach((loss) => log.lose(join(at, loss.field), loss.reason));
      out.push(mapped.value);
    } catch (error) {
      if (!(error instanceof NotExpressible)) throw error;
      log.lose(at, `tariff ${tariff.id} left out, not expressible in 2.1.1 (${error.losses.map((loss) => `${loss.field}: ${loss.reason}`).join('; ')}); total_cost stays the price`);
    }
  });
  return out;
}

const BREAKDOWN = ['total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost'] as const;

/**
 * A CDR for a 2.1.1 eMSP. NotExpressible: a credit CDR (2.1.1 has none: the partner would book the
 * refund as one more charge), a negative total_cost (read as an amount owed), a connector 2.1.1
 * cannot describe, or no charging period 2.1.1 can state (2.1.1 requires one).
 */
export function cdrTo211(cdr: Cdr, context: CdrTo211Context = {}): Mapped<v211.Cdr> {
  const log = new LossLog();
  const refused: Loss[] = [];
  if (cdr.credit === true) {
    refused.push({ field: 'credit', reason: `a credit CDR (for ${cdr.credit_reference_id ?? 'an earlier CDR'}); 2.1.1 has none, the partner would book the refund as a charge` });
  } else if (cdr.credit_reference_id !== undefined) {
    log.lose('credit_reference_id', 'no credit_reference_id in 2.1.1 (and this is not a credit CDR)');
  }
  if (cdr.total_cost.excl_vat < 0 || (cdr.total_cost.incl_vat ?? 0) < 0) {
    refused.push({ field: 'total_cost', reason: 'negative; a 2.1.1 total_cost is an amount the eMSP owes' });
  }
  let location: v211.Location | undefined;
  try {
    location = cdrLocationTo211(cdr.cdr_location, cdr.last_updated, context, log);
  } catch (error) {
    if (!(error instanceof NotExpressible)) throw error;
    refused.push(...error.losses);
  }
  const chargingPeriods = chargingPeriodsTo211(cdr.charging_periods, '', log);
  if (chargingPeriods.length === 0) refused.push({ field: 'charging_periods', reason: 'no period with a dimension 2.1.1 has; 2.1.1 requires one' });
  if (refused.length > 0 || location === undefined) throw new NotExpressible(refused);

  if (cdr.session_id !== undefined) log.lose('session_id', 'no session_id in 2.1.1');
  loseTokenDetails(log);
  if (cdr.authorization_reference !== undefined) log.lose('authorization_reference', 'no authorization_reference in 2.1.1');
  if (cdr.signed_data !== undefined) log.lose('signed_data', 'no signed data in 2.1.1');
  for (const field of BREAKDOWN) if (cdr[field] !== undefined) log.lose(field, '2.1.1 has no cost breakdown, only total_cost');
  if (cdr.invoice_reference_id !== undefined) log.lose('invoice_reference_id', 'no invoice_reference_id in 2.1.1');
  if (cdr.home_charging_compensation !== undefined) log.lose('home_charging_compensation', 'no home_charging_compensation in 2.1.1');

  const value: v211.Cdr = defined({
    id: cdr.id,
    start_date_time: cdr.start_date_time,
    stop_date_time: cdr.end_date_time,
    auth_id: cdr.cdr_token.contract_id,
    auth_method: authMethodTo211(cdr.auth_method, 'auth_method', log),
    location,
    meter_id: cdr.meter_id,
    currency: cdr.currency,
    tariffs: tariffsTo211(cdr.tariffs, log),
    charging_periods: chargingPeriods,
    total_cost: priceTo211(cdr.total_cost, 'total_cost', log),
    total_energy: cdr.total_energy,
    total_time: cdr.total_time,
    total_parking_time: cdr.total_parking_time,
    remark: cdr.remark,
    last_updated: cdr.last_updated,
  });
  return log.mapped(value);
}

/**
 * A 2.1.1 CDR in our model. The CdrLocation comes from the embedded Location; incl. VAT and the cost
 * breakdown stay unknown (absent), they are not computed. NotExpressible: no charging period left
 * in 2.2.1 terms, an EVSE without evse_id, ids longer than 2.2.1 allows, a negative duration.
 */
export function cdrFrom211(cdr: v211.Cdr, context: CdrContext211): Mapped<Cdr> {
  const log = new LossLog();
  checkTokenNamesAuthId(context.cdrToken, cdr.auth_id);
  const negative = (['total_time', 'total_parking_time'] as const).filter((field) => (cdr[field] ?? 0) < 0);
  if (negative.length > 0) throw new NotExpressible(negative.map((field) => ({ field, reason: `${cdr[field]}: 2.2.1 durations are never negative` })));
  const owner = { countryCode: context.countryCode, partyId: context.partyId };
  const cdrLocation = cdrLocationFrom211(cdr.location, cdr.last_updated, log);
  const chargingPeriods = chargingPeriodsFrom211(cdr.charging_periods, '', log);
  if (chargingPeriods.length === 0) throw new NotExpressible([{ field: 'charging_periods', reason: 'no period with a dimension 2.2.1 has; 2.2.1 requires one' }]);
  const tariffs = cdr.tariffs.map((tariff, index) => {
    const mapped = tariffFrom211(tariff, owner);
    mapped.losses.forEach((loss) => log.lose(join(`tariffs[${index}]`, loss.field), loss.reason));
    return mapped.value;
  });
  const value: Cdr = defined({
    country_code: context.countryCode.toUpperCase(),
    party_id: context.partyId.toUpperCase(),
    id: cdr.id,
    start_date_time: cdr.start_date_time,
    end_date_time: cdr.stop_date_time,
    cdr_token: tokenCopy(context.cdrToken),
    auth_method: cdr.auth_method,
    cdr_location: cdrLocation,
    meter_id: cdr.meter_id,
    currency: cdr.currency,
    tariffs,
    charging_periods: chargingPeriods,
    total_cost: priceFrom211(cdr.total_cost),
    total_energy: cdr.total_energy,
    total_time: cdr.total_time,
    total_parking_time: cdr.total_parking_time,
    remark: cdr.remark,
    last_updated: cdr.last_updated,
  });
  return log.mapped(value);
}

/**
 * The voltage and amperage of a CDR's connector, from the Location it was at (a 2.1.1
 * Connector needs them, a 2.2.1 CdrLocation has none); undefined when it is not there.
 */
export function connectorRatingOf(location: Location | undefined, cdr: Pick<Cdr, 'cdr_location'>): CdrTo211Context['connector'] {
  const same = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();
  const evse = location?.evses.find((candidate) => same(candidate.uid, cdr.cdr_location.evse_uid));
  const connector = evse?.connectors.find((candidate) => same(candidate.id, cdr.cdr_location.connector_id));
  return connector ? { voltage: connector.max_voltage, amperage: connector.max_amperage } : undefined;
}
