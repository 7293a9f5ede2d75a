import type { Connector, Evse, Location } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { LossLog, NotExpressible, type Mapped } from '../mapped.js';

/**
 * Locations between OCPI 2.1.1 (wire) and 2.2.1 (our model). Every field is mapped by name;
 * what the other version cannot say is a loss. The same field mappers serve full objects and
 * PATCH bodies (`patch = true`: only the fields present, nothing required is added).
 */

/** Who owns a 2.1.1 Location: the CPO of the connection/URL (2.1.1 bodies carry no owner). */
export interface LocationOwner {
  countryCode: string;
  partyId: string;
  /**
   * `time_zone` is optional in 2.1.1 and required in 2.2.1: the partner's configured zone,
   * used only when the Location has none. Without either the Location is not expressible.
   */
  timeZone?: string;
}

export type LocationLevel = 'location' | 'evse' | 'connector';

type Patch<T> = { [K in keyof T]?: T[K] };

export const join = (prefix: string, field: string): string => (prefix ? `${prefix}.${field}` : field);

/**
 * A 2.1.1 id (case-sensitive string(n)) as a 2.2.1 CiString(max): longer ids cannot be
 * shortened without naming another object; case is folded as our model stores CiStrings.
 */
export function foldId211(value: string, max: number, field: string, log: LossLog): string {
  if (value.length > max) throw new NotExpressible([{ field, reason: `${value.length} characters, 2.2.1 allows at most ${max}` }]);
  const folded = value.toUpperCase();
  if (folded !== value) log.lose(field, 'case-sensitive in 2.1.1, a CiString (stored upper-cased) in 2.2.1');
  return folded;
}

/** Maps a sub-object with its own loss log, so the losses of a dropped object are not kept. */
function attempt<T>(log: LossLog, map: (child: LossLog) => T): T {
  const child = new LossLog();
  const value = map(child);
  log.losses.push(...child.losses);
  return value;
}

function dropped(error: unknown): string {
  if (error instanceof NotExpressible) return error.losses.map((loss) => `${loss.field}: ${loss.reason}`).join('; ');
  throw error;
}

// ---------------------------------------------------------------------------------------------
// Shared data types

/** 2.2.1 coordinates have 5 to 7 decimals, 2.1.1 exactly 6: pad, or round half up (a loss). */
export function coordinateTo211(value: string, field: string, log: LossLog): string {
  const [whole = '', decimals = ''] = value.split('.');
  if (decimals.length <= 6) return `${whole}.${decimals.padEnd(6, '0')}`;
  const negative = whole.startsWith('-');
  const scaled = BigInt(`${whole.replace('-', '')}${decimals.slice(0, 7)}`);
  const rounded = ((scaled + 5n) / 10n).toString().padStart(7, '0');
  log.lose(field, `${value} rounded to 6 decimals (2.1.1 allows exactly 6)`);
  return `${negative ? '-' : ''}${rounded.slice(0, -6)}.${rounded.slice(-6)}`;
}

function geoTo211(geo: Location['coordinates'], prefix: string, log: LossLog): v211.GeoLocation {
  return { latitude: coordinateTo211(geo.latitude, join(prefix, 'latitude'), log), longitude: coordinateTo211(geo.longitude, join(prefix, 'longitude'), log) };
}

function geoFrom211(geo: v211.GeoLocation): Location['coordinates'] {
  return { latitude: geo.latitude, longitude: geo.longitude };
}

type Image221 = NonNullable<Location['images']>[number];
type DisplayText = Location['directions'][number];

const displayText = (text: DisplayText): DisplayText => ({ language: text.language, text: text.text });

/** Image.type is a CiString(4) in 2.2.1 (stored upper-cased); 2.1.1 examples write it lower-case. */
function imageTo211(image: Image221): v211.Image {
  return { url: image.url, thumbnail: image.thumbnail, category: image.category, type: image.type.toLowerCase(), width: image.width, height: image.height };
}

function imageFrom211(image: v211.Image): Image221 {
  return { url: image.url, thumbnail: image.thumbnail, category: image.category, type: image.type.toUpperCase(), width: image.width, height: image.height };
}

type Business221 = NonNullable<Location['operator']>;

function businessTo211(details: Business221): v211.BusinessDetails {
  return { name: details.name, website: details.website, logo: details.logo && imageTo211(details.logo) };
}

function businessFrom211(details: v211.BusinessDetails): Business221 {
  return { name: details.name, website: details.website, logo: details.logo && imageFrom211(details.logo) };
}

type EnergyMix221 = NonNullable<Location['energy_mix']>;

/** EnvironmentalImpact: 2.1.1 `source` ↔ 2.2.1 `category`, same values. */
export function energyMixTo211(mix: EnergyMix221): v211.EnergyMix {
  return {
    is_green_energy: mix.is_green_energy,
    energy_sources: mix.energy_sources.map((source) => ({ source: source.source, percentage: source.percentage })),
    environ_impact: mix.environ_impact.map((impact) => ({ source: impact.category, amount: impact.amount })),
    supplier_name: mix.supplier_name,
    energy_product_name: mix.energy_product_name,
  };
}

export function energyMixFrom211(mix: v211.EnergyMix): EnergyMix221 {
  return {
    is_green_energy: mix.is_green_energy,
    energy_sources: mix.energy_sources.map((source) => ({ source: source.source, percentage: source.percentage })),
    environ_impact: mix.environ_impact.map((impact) => ({ category: impact.source, amount: impact.amount })),
    supplier_name: mix.supplier_name,
    energy_product_name: mix.energy_product_name,
  };
}

type Hours221 = NonNullable<Location['opening_times']>;
type Period = Hours221['exceptional_openings'][number];
const period = (value: Period): Period => ({ period_begin: value.period_begin, period_end: value.period_end });

/** Hours: 2.1.1 is a choice of regular hours or 24/7; regular hours next to 24/7 are dropped. */
function hoursTo211(hours: Hours221, prefix: string, log: LossLog): v211.Hours {
  if (hours.twentyfourseven && hours.regular_hours.length > 0) log.lose(join(prefix, 'regular_hours'), 'twentyfourseven is true; 2.1.1 Hours is either regular hours or 24/7');
  return {
    regular_hours: hours.twentyfourseven ? [] : hours.regular_hours.map((day) => ({ weekday: day.weekday, period_begin: day.period_begin, period_end: day.period_end })),
    twentyfourseven: hours.twentyfourseven,
    exceptional_openings: hours.exceptional_openings.map(period),
    exceptional_closings: hours.exceptional_closings.map(period),
  };
}

const HHMM_221 = /^([0-1][0-9]|2[0-3]):[0-5][0-9]$/;

/** 2.1.1 allows e.g. `24:00`; 2.2.1 only 00:00-23:59, and a different time is not the same hours. */
function hoursFrom211(hours: v211.Hours, prefix: string): Hours221 {
  const bad = hours.regular_hours.flatMap((day, index) =>
    (['period_begin', 'period_end'] as const)
      .filter((field) => !HHMM_221.test(day[field]))
      .map((field) => ({ field: join(prefix, `regular_hours[${index}].${field}`), reason: `${day[field]} is not a 2.2.1 time (00:00-23:59)` })),
  );
  if (bad.length > 0) throw new NotExpressible(bad);
  return {
    twentyfourseven: hours.twentyfourseven,
    regular_hours: hours.regular_hours.map((day) => ({ weekday: day.weekday, period_begin: day.period_begin, period_end: day.period_end })),
    exceptional_openings: hours.exceptional_openings.map(period),
    exceptional_closings: hours.exceptional_closings.map(period),
  };
}

type StatusSchedule = Evse['status_schedule'][number];
const statusSchedule = (entry: StatusSchedule): StatusSchedule => ({ period_begin: entry.period_begin, period_end: entry.period_end, status: entry.status });

function only211<T extends string>(values: readonly string[], allowed: ReadonlySet<string>, prefix: string, field: string, log: LossLog, what: string): T[] {
  const kept: T[] = [];
  values.forEach((value, index) => {
    if (allowed.has(value)) kept.push(value as T);
    else log.lose(join(prefix, `${field}[${index}]`), `${value} is not a 2.1.1 ${what}`);
  });
  return kept;
}

const CAPABILITIES_211: ReadonlySet<string> = new Set(v211.CAPABILITIES);
const CONNECTOR_TYPES_211: ReadonlySet<string> = new Set(v211.CONNECTOR_TYPES);
const POWER_TYPES_211: ReadonlySet<string> = new Set(v211.POWER_TYPES);
const FACILITIES_211: ReadonlySet<string> = new Set(v211.FACILITIES);

// ---------------------------------------------------------------------------------------------
// Connector

function connectorFieldsTo211(connector: Patch<Connector>, prefix: string, log: LossLog, patch: boolean): Patch<v211.Connector> {
  const inexpressible = [
    connector.standard !== undefined && !CONNECTOR_TYPES_211.has(connector.standard) ? { field: join(prefix, 'standard'), reason: `${connector.standard} is not a 2.1.1 ConnectorType` } : undefined,
    connector.power_type !== undefined && !POWER_TYPES_211.has(connector.power_type) ? { field: join(prefix, 'power_type'), reason: `${connector.power_type} is not a 2.1.1 PowerType` } : undefined,
  ].filter((loss) => loss !== undefined);
  // A required field that cannot be stated: a connector with another plug or phase count would mislead.
  if (inexpressible.length > 0) throw new NotExpressible(inexpressible);
  const out: Patch<v211.Connector> = {};
  if (connector.id !== undefined) out.id = connector.id;
  if (connector.standard !== undefined) out.standard = connector.standard as v211.Connector['standard'];
  if (connector.format !== undefined) out.format = connector.format;
  if (connector.power_type !== undefined) out.power_type = connector.power_type as v211.Connector['power_type'];
  if (connector.max_voltage !== undefined) out.voltage = connector.max_voltage;
  if (connector.max_amperage !== undefined) out.amperage = connector.max_amperage;
  if (connector.max_electric_power !== undefined) log.lose(join(prefix, 'max_electric_power'), 'no max_electric_power in 2.1.1');
  if (connector.tariff_ids !== undefined) {
    const [first, ...rest] = connector.tariff_ids;
    if (first !== undefined) out.tariff_id = first;
    else if (patch) log.lose(join(prefix, 'tariff_ids'), 'a 2.1.1 PATCH cannot clear tariff_id');
    // 2.1.1 has one tariff per connector; the first listed is kept, as the CPO lists it.
    rest.forEach((id, index) => log.lose(join(prefix, `tariff_ids[${index + 1}]`), `2.1.1 has a single tariff_id; ${id} not sent`));
  }
  if (connector.terms_and_conditions !== undefined) out.terms_and_conditions = connector.terms_and_conditions;
  if (connector.last_updated !== undefined) out.last_updated = connector.last_updated;
  return out;
}

function connectorFieldsFrom211(connector: Patch<v211.Connector>, prefix: string, log: LossLog, patch: boolean): Patch<Connector> {
  const out: Patch<Connector> = {};
  if (connector.id !== undefined) out.id = foldId211(connector.id, 36, join(prefix, 'id'), log);
  if (connector.standard !== undefined) out.standard = connector.standard;
  if (connector.format !== undefined) out.format = connector.format;
  if (connector.power_type !== undefined) out.power_type = connector.power_type;
  if (connector.voltage !== undefined) out.max_voltage = connector.voltage;
  if (connector.amperage !== undefined) out.max_amperage = connector.amperage;
  if (connector.tariff_id !== undefined) out.tariff_ids = [foldId211(connector.tariff_id, 36, join(prefix, 'tariff_id'), log)];
  else if (!patch) out.tariff_ids = [];
  if (connector.terms_and_conditions !== undefined) out.terms_and_conditions = connector.terms_and_conditions;
  if (connector.last_updated !== undefined) out.last_updated = connector.last_updated;
  return out;
}

/** A connector for a 2.1.1 partner; NotExpressible for a plug standard or power type 2.1.1 lacks. */
export function connectorTo211(connector: Connector): Mapped<v211.Connector> {
  const log = new LossLog();
  return log.mapped(connectorFieldsTo211(connector, '', log, false) as v211.Connector);
}

export function connectorFrom211(connector: v211.Connector): Mapped<Connector> {
  const log = new LossLog();
  return log.mapped(connectorFieldsFrom211(connector, '', log, false) as Connector);
}

// ---------------------------------------------------------------------------------------------
// EVSE

function connectorsTo211(connectors: Connector[], prefix: string, log: LossLog, connectorId: string | undefined): v211.Connector[] {
  const out: v211.Connector[] = [];
  connectors.forEach((connector, index) => {
    const path = join(prefix, `connectors[${index}]`);
    if (connectorId !== undefined) {
      if (connector.id === connectorId.toUpperCase()) out.push(attempt(log, (child) => connectorFieldsTo211(connector, path, child, false) as v211.Connector));
      return;
    }
    try {
      out.push(attempt(log, (child) => connectorFieldsTo211(connector, path, child, false) as v211.Connector));
    } catch (error) {
      log.lose(path, `connector not sent: ${dropped(error)}`);
    }
  });
  if (out.length === 0) {
    const reason = connectorId === undefined ? 'no connector expressible in 2.1.1 (an EVSE needs one)' : `no connector ${connectorId}`;
    throw new NotExpressible([{ field: join(prefix, 'connectors'), reason }]);
  }
  return out;
}

function evseFieldsTo211(evse: Patch<Evse>, prefix: string, log: LossLog, connectorId?: string): Patch<v211.Evse> {
  const out: Patch<v211.Evse> = {};
  if (evse.uid !== undefined) out.uid = evse.uid;
  if (evse.evse_id !== undefined) out.evse_id = evse.evse_id;
  if (evse.status !== undefined) out.status = evse.status;
  if (evse.status_schedule !== undefined) out.status_schedule = evse.status_schedule.map(statusSchedule);
  if (evse.capabilities !== undefined) out.capabilities = only211(evse.capabilities, CAPABILITIES_211, prefix, 'capabilities', log, 'Capability');
  if (evse.connectors !== undefined) out.connectors = connectorsTo211(evse.connectors, prefix, log, connectorId);
  if (evse.floor_level !== undefined) out.floor_level = evse.floor_level;
  if (evse.coordinates !== undefined) out.coordinates = geoTo211(evse.coordinates, join(prefix, 'coordinates'), log);
  if (evse.physical_reference !== undefined) out.physical_reference = evse.physical_reference;
  if (evse.directions !== undefined) out.directions = evse.directions.map(displayText);
  if (evse.parking_restrictions !== undefined) out.parking_restrictions = [...evse.parking_restrictions];
  if (evse.images !== undefined) out.images = evse.images.map(imageTo211);
  if (evse.last_updated !== undefined) out.last_updated = evse.last_updated;
  return out;
}

function evseFieldsFrom211(evse: Patch<v211.Evse>, prefix: string, log: LossLog): Patch<Evse> {
  const out: Patch<Evse> = {};
  if (evse.uid !== undefined) out.uid = foldId211(evse.uid, 36, join(prefix, 'uid'), log);
  if (evse.evse_id !== undefined) out.evse_id = foldId211(evse.evse_id, 48, join(prefix, 'evse_id'), log);
  if (evse.status !== undefined) out.status = evse.status;
  if (evse.status_schedule !== undefined) out.status_schedule = evse.status_schedule.map(statusSchedule);
  if (evse.capabilities !== undefined) out.capabilities = [...evse.capabilities];
  if (evse.connectors !== undefined) {
    out.connectors = evse.connectors.map((connector, index) => connectorFieldsFrom211(connector, join(prefix, `connectors[${index}]`), log, false) as Connector);
  }
  if (evse.floor_level !== undefined) out.floor_level = evse.floor_level;
  if (evse.coordinates !== undefined) out.coordinates = geoFrom211(evse.coordinates);
  if (evse.physical_reference !== undefined) out.physical_reference = evse.physical_reference;
  if (evse.directions !== undefined) out.directions = evse.directions.map(displayText);
  if (evse.parking_restrictions !== undefined) out.parking_restrictions = [...evse.parking_restrictions];
  if (evse.images !== undefined) out.images = evse.images.map(imageFrom211);
  if (evse.last_updated !== undefined) out.last_updated = evse.last_updated;
  return out;
}

/**
 * An EVSE for a 2.1.1 partner. Connectors 2.1.1 cannot describe are left out (a loss each);
 * NotExpressible when none is left. `connectorId` keeps that one connector only.
 */
export function evseTo211(evse: Evse, connectorId?: string): Mapped<v211.Evse> {
  const log = new LossLog();
  return log.mapped(evseFieldsTo211(evse, '', log, connectorId) as v211.Evse);
}

export function evseFrom211(evse: v211.Evse): Mapped<Evse> {
  const log = new LossLog();
  return log.mapped(evseFieldsFrom211(evse, '', log) as Evse);
}

// ---------------------------------------------------------------------------------------------
// Location

type ParkingType = NonNullable<Location['parking_type']>;

const PARKING_TO_211: Record<ParkingType, v211.LocationType> = {
  ON_STREET: 'ON_STREET',
  PARKING_GARAGE: 'PARKING_GARAGE',
  UNDERGROUND_GARAGE: 'UNDERGROUND_GARAGE',
  PARKING_LOT: 'PARKING_LOT',
  ON_DRIVEWAY: 'OTHER',
  ALONG_MOTORWAY: 'OTHER',
};

const TYPE_FROM_211: Record<v211.LocationType, ParkingType | undefined> = {
  ON_STREET: 'ON_STREET',
  PARKING_GARAGE: 'PARKING_GARAGE',
  UNDERGROUND_GARAGE: 'UNDERGROUND_GARAGE',
  PARKING_LOT: 'PARKING_LOT',
  OTHER: undefined,
  UNKNOWN: undefined,
};

/** Who may see it: 2.1.1 knows only public Locations, so a restricted one is never sent. */
function refuseUnpublished(location: Patch<Location>): void {
  const refused = [];
  if (location.publish === false) refused.push({ field: 'publish', reason: 'not to be published; 2.1.1 cannot restrict who sees a Location' });
  if (location.publish_allowed_to !== undefined && location.publish_allowed_to.length > 0) {
    refused.push({ field: 'publish_allowed_to', reason: 'visible to listed tokens only; 2.1.1 cannot restrict who sees a Location' });
  }
  if (refused.length > 0) throw new NotExpressible(refused);
}

function locationFieldsTo211(location: Patch<Location>, log: LossLog, patch: boolean, only?: { evseUid: string; connectorId?: string }): Patch<v211.Location> {
  refuseUnpublished(location);
  const out: Patch<v211.Location> = {};
  // country_code/party_id: the 2.1.1 URL (or the connection) names the owner, not the body.
  if (location.id !== undefined) out.id = location.id;
  if (location.parking_type !== undefined) {
    out.type = PARKING_TO_211[location.parking_type];
    if (out.type === 'OTHER') log.lose('parking_type', `${location.parking_type} is not a 2.1.1 LocationType, sent as OTHER`);
  } else if (!patch) out.type = 'UNKNOWN';
  if (location.name !== undefined) out.name = location.name;
  if (location.address !== undefined) {
    out.address = location.address.slice(0, 45);
    if (location.address.length > 45) log.lose('address', `${location.address.length} characters, truncated to the 45 of 2.1.1`);
  }
  if (location.city !== undefined) out.city = location.city;
  if (location.postal_code !== undefined) out.postal_code = location.postal_code;
  else if (!patch) {
    // Required in 2.1.1; 2.2.1 omits it only where the place has none: say "none", invent nothing.
    out.postal_code = '';
    log.lose('postal_code', 'the place has no postal code; 2.1.1 requires one, sent as an empty string');
  }
  if (location.state !== undefined) log.lose('state', 'no state in 2.1.1');
  if (location.country !== undefined) out.country = location.country;
  if (location.coordinates !== undefined) out.coordinates = geoTo211(location.coordinates, 'coordinates', log);
  if (location.related_locations !== undefined) {
    out.related_locations = location.related_locations.map((related, index) => ({
      ...geoTo211(related, `related_locations[${index}]`, log),
      name: related.name && displayText(related.name),
    }));
  }
  if (location.evses !== undefined) out.evses = evsesTo211(location.evses, log, only);
  if (location.directions !== undefined) out.directions = location.directions.map(displayText);
  if (location.operator !== undefined) out.operator = businessTo211(location.operator);
  if (location.suboperator !== undefined) out.suboperator = businessTo211(location.suboperator);
  if (location.owner !== undefined) out.owner = businessTo211(location.owner);
  if (location.facilities !== undefined) out.facilities = only211(location.facilities, FACILITIES_211, '', 'facilities', log, 'Facility');
  if (location.time_zone !== undefined) out.time_zone = location.time_zone;
  if (location.opening_times !== undefined) out.opening_times = hoursTo211(location.opening_times, 'opening_times', log);
  if (location.charging_when_closed !== undefined) out.charging_when_closed = location.charging_when_closed;
  if (location.images !== undefined) out.images = location.images.map(imageTo211);
  if (location.energy_mix !== undefined) out.energy_mix = energyMixTo211(location.energy_mix);
  if (location.last_updated !== undefined) out.last_updated = location.last_updated;
  return out;
}

function evsesTo211(evses: Evse[], log: LossLog, only: { evseUid: string; connectorId?: string } | undefined): v211.Evse[] {
  const out: v211.Evse[] = [];
  evses.forEach((evse, index) => {
    const path = `evses[${index}]`;
    if (only !== undefined) {
      if (evse.uid === only.evseUid.toUpperCase()) out.push(attempt(log, (child) => evseFieldsTo211(evse, path, child, only.connectorId) as v211.Evse));
      return;
    }
    try {
      out.push(attempt(log, (child) => evseFieldsTo211(evse, path, child) as v211.Evse));
    } catch (error) {
      log.lose(path, `EVSE not sent: ${dropped(error)}`);
    }
  });
  if (only !== undefined && out.length === 0) throw new NotExpressible([{ field: 'evses', reason: `no EVSE ${only.evseUid}` }]);
  return out;
}

function locationFieldsFrom211(location: Patch<v211.Location>, log: LossLog, patch: boolean): Patch<Location> {
  const out: Patch<Location> = {};
  if (location.id !== undefined) out.id = foldId211(location.id, 36, 'id', log);
  if (location.type !== undefined) {
    const parkingType = TYPE_FROM_211[location.type];
    if (parkingType !== undefined) out.parking_type = parkingType;
    else if (patch) log.lose('type', `${location.type}: a PATCH cannot clear parking_type`);
    else if (location.type === 'OTHER') log.lose('type', 'OTHER names no 2.2.1 ParkingType, left out');
  }
  if (location.name !== undefined) out.name = location.name;
  if (location.address !== undefined) out.address = location.address;
  if (location.city !== undefined) out.city = location.city;
  if (location.postal_code !== undefined) {
    // An empty postal code is how a 2.1.1 party says there is none: 2.2.1 leaves it out.
    if (location.postal_code !== '') out.postal_code = location.postal_code;
    else if (patch) log.lose('postal_code', 'empty: a PATCH cannot clear postal_code');
  }
  if (location.country !== undefined) out.country = location.country;
  if (location.coordinates !== undefined) out.coordinates = geoFrom211(location.coordinates);
  if (location.related_locations !== undefined) {
    out.related_locations = location.related_locations.map((related) => ({ ...geoFrom211(related), name: related.name && displayText(related.name) }));
  }
  if (location.evses !== undefined) out.evses = location.evses.map((evse, index) => evseFieldsFrom211(evse, `evses[${index}]`, log) as Evse);
  if (location.directions !== undefined) out.directions = location.directions.map(displayText);
  if (location.operator !== undefined) out.operator = businessFrom211(location.operator);
  if (location.suboperator !== undefined) out.suboperator = businessFrom211(location.suboperator);
  if (location.owner !== undefined) out.owner = businessFrom211(location.owner);
  if (location.facilities !== undefined) out.facilities = [...location.facilities];
  if (location.time_zone !== undefined) out.time_zone = location.time_zone;
  if (location.opening_times !== undefined) out.opening_times = hoursFrom211(location.opening_times, 'opening_times');
  if (location.charging_when_closed !== undefined) out.charging_when_closed = location.charging_when_closed;
  if (location.images !== undefined) out.images = location.images.map(imageFrom211);
  if (location.energy_mix !== undefined) out.energy_mix = energyMixFrom211(location.energy_mix);
  if (location.last_updated !== undefined) out.last_updated = location.last_updated;
  return out;
}

/**
 * A Location for a 2.1.1 partner. `only` keeps one EVSE (and one connector), as 2.1.1 Sessions
 * and CDRs embed it. NotExpressible when the Location is not to be published to everyone.
 */
export function locationTo211(location: Location, only?: { evseUid: string; connectorId?: string }): Mapped<v211.Location> {
  const log = new LossLog();
  return log.mapped(locationFieldsTo211(location, log, false, only) as v211.Location);
}

/**
 * A 2.1.1 Location in our model. 2.1.1 has no owner fields (taken from `owner`), no publish flag
 * (every Location a 2.1.1 CPO shares is public: `publish = true`) and may lack `time_zone`.
 */
export function locationFrom211(location: v211.Location, owner: LocationOwner): Mapped<Location> {
  const log = new LossLog();
  const fields = locationFieldsFrom211(location, log, false);
  const timeZone = location.time_zone ?? owner.timeZone;
  if (timeZone === undefined) throw new NotExpressible([{ field: 'time_zone', reason: 'required in 2.2.1; neither the Location nor the partner configuration names one' }]);
  return log.mapped({
    country_code: owner.countryCode.toUpperCase(),
    party_id: owner.partyId.toUpperCase(),
    ...fields,
    publish: true,
    publish_allowed_to: [],
    time_zone: timeZone,
  } as Location);
}

/** Unknown keys of a PATCH body: named as losses, never copied. */
function unknownKeys(patch: Record<string, unknown>, known: readonly string[], log: LossLog, version: string): void {
  for (const key of Object.keys(patch)) if (!known.includes(key)) log.lose(key, `not a ${version} field`);
}

const LOCATION_KEYS_221 = [
  'country_code', 'party_id', 'id', 'publish', 'publish_allowed_to', 'name', 'address', 'city', 'postal_code', 'state', 'country', 'coordinates',
  'related_locations', 'parking_type', 'evses', 'directions', 'operator', 'suboperator', 'owner', 'facilities', 'time_zone', 'opening_times',
  'charging_when_closed', 'images', 'energy_mix', 'last_updated',
] as const;
const EVSE_KEYS_221 = [
  'uid', 'evse_id', 'status', 'status_schedule', 'capabilities', 'connectors', 'floor_level', 'coordinates', 'physical_reference', 'directions',
  'parking_restrictions', 'images', 'last_updated',
] as const;
const CONNECTOR_KEYS_221 = ['id', 'standard', 'format', 'power_type', 'max_voltage', 'max_amperage', 'max_electric_power', 'tariff_ids', 'terms_and_conditions', 'last_updated'] as const;

const LOCATION_KEYS_211 = Object.keys(v211.locationSchema.shape);
const EVSE_KEYS_211 = Object.keys(v211.evseSchema.shape);
const CONNECTOR_KEYS_211 = Object.keys(v211.connectorSchema.shape);

/**
 * A 2.2.1 PATCH body (parsed, partial) for a 2.1.1 partner, at the level the URL names.
 * Only the fields present are mapped; country_code/party_id are in the URL, not the body.
 */
export function locationPatchTo211(patch: Record<string, unknown>, level: 'location'): Mapped<Patch<v211.Location>>;
export function locationPatchTo211(patch: Record<string, unknown>, level: 'evse'): Mapped<Patch<v211.Evse>>;
export function locationPatchTo211(patch: Record<string, unknown>, level: 'connector'): Mapped<Patch<v211.Connector>>;
export function locationPatchTo211(patch: Record<string, unknown>, level: LocationLevel): Mapped<Patch<v211.Location> | Patch<v211.Evse> | Patch<v211.Connector>>;
export function locationPatchTo211(patch: Record<string, unknown>, level: LocationLevel): Mapped<Patch<v211.Location> | Patch<v211.Evse> | Patch<v211.Connector>> {
  const log = new LossLog();
  switch (level) {
    case 'location':
      unknownKeys(patch, LOCATION_KEYS_221, log, '2.2.1 Location');
      return log.mapped(locationFieldsTo211(patch as Patch<Location>, log, true));
    case 'evse':
      unknownKeys(patch, EVSE_KEYS_221, log, '2.2.1 EVSE');
      return log.mapped(evseFieldsTo211(patch as Patch<Evse>, '', log));
    case 'connector':
      unknownKeys(patch, CONNECTOR_KEYS_221, log, '2.2.1 Connector');
      return log.mapped(connectorFieldsTo211(patch as Patch<Connector>, '', log, true));
  }
}

/** A 2.1.1 PATCH body (parsed with the v211 *PatchSchema) in our model, at the URL's level. */
export function locationPatchFrom211(patch: Record<string, unknown>, level: 'location'): Mapped<Patch<Location>>;
export function locationPatchFrom211(patch: Record<string, unknown>, level: 'evse'): Mapped<Patch<Evse>>;
export function locationPatchFrom211(patch: Record<string, unknown>, level: 'connector'): Mapped<Patch<Connector>>;
export function locationPatchFrom211(patch: Record<string, unknown>, level: LocationLevel): Mapped<Patch<Location> | Patch<Evse> | Patch<Connector>>;
export function locationPatchFrom211(patch: Record<string, unknown>, level: LocationLevel): Mapped<Patch<Location> | Patch<Evse> | Patch<Connector>> {
  const log = new LossLog();
  switch (level) {
    case 'location':
      unknownKeys(patch, LOCATION_KEYS_211, log, '2.1.1 Location');
      return log.mapped(locationFieldsFrom211(patch as Patch<v211.Location>, log, true));
    case 'evse':
      unknownKeys(patch, EVSE_KEYS_211, log, '2.1.1 EVSE');
      return log.mapped(evseFieldsFrom211(patch as Patch<v211.Evse>, '', log));
    case 'connector':
      unknownKeys(patch, CONNECTOR_KEYS_211, log, '2.1.1 Connector');
      return log.mapped(connectorFieldsFrom211(patch as Patch<v211.Connector>, '', log, true));
  }
}
