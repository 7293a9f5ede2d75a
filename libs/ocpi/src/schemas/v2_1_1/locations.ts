import { z } from 'zod';
import { optional } from '../common.js';
import { list } from '../types.js';
import { businessDetailsSchema, dateTime211, displayTextSchema, energyMixSchema, geoLocationSchema, id211, imageSchema, string211, url211 } from './common.js';

/** OCPI 2.1.1 Locations module (`mod_locations.md`): Location → EVSE (*) → Connector (+). */

export const LOCATION_TYPES = ['ON_STREET', 'PARKING_GARAGE', 'UNDERGROUND_GARAGE', 'PARKING_LOT', 'OTHER', 'UNKNOWN'] as const;
export const locationTypeSchema = z.enum(LOCATION_TYPES);

export const STATUSES = ['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN'] as const;
export const statusSchema = z.enum(STATUSES);

export const CAPABILITIES = ['CHARGING_PROFILE_CAPABLE', 'CREDIT_CARD_PAYABLE', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'UNLOCK_CAPABLE'] as const;
export const capabilitySchema = z.enum(CAPABILITIES);

/** 25 values; the mixed-case IEC_60309_2_* members are compared exactly, as the spec spells them. */
export const CONNECTOR_TYPES = [
  'CHADEMO', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_E', 'DOMESTIC_F', 'DOMESTIC_G',
  'DOMESTIC_H', 'DOMESTIC_I', 'DOMESTIC_J', 'DOMESTIC_K', 'DOMESTIC_L', 'IEC_60309_2_single_16', 'IEC_60309_2_three_16',
  'IEC_60309_2_three_32', 'IEC_60309_2_three_64', 'IEC_62196_T1', 'IEC_62196_T1_COMBO', 'IEC_62196_T2',
  'IEC_62196_T2_COMBO', 'IEC_62196_T3A', 'IEC_62196_T3C', 'TESLA_R', 'TESLA_S',
] as const;
export const connectorTypeSchema = z.enum(CONNECTOR_TYPES);

export const CONNECTOR_FORMATS = ['SOCKET', 'CABLE'] as const;
export const connectorFormatSchema = z.enum(CONNECTOR_FORMATS);

export const POWER_TYPES = ['AC_1_PHASE', 'AC_3_PHASE', 'DC'] as const;
export const powerTypeSchema = z.enum(POWER_TYPES);

export const PARKING_RESTRICTIONS = ['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES'] as const;
export const parkingRestrictionSchema = z.enum(PARKING_RESTRICTIONS);

export const FACILITIES = [
  'HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BUS_STOP',
  'TAXI_STAND', 'TRAIN_STATION', 'AIRPORT', 'CARPOOL_PARKING', 'FUEL_STATION', 'WIFI',
] as const;
export const facilitySchema = z.enum(FACILITIES);

export const additionalGeoLocationSchema = geoLocationSchema.extend({ name: optional(displayTextSchema) });

/** 2.1.1 RegularHours regex is `[0-2][0-9]:[0-5][0-9]` (looser than 2.2.1's, e.g. 24:00 passes). */
const hhmm211 = z.string().regex(/^[0-2][0-9]:[0-5][0-9]$/, 'must be HH:MM');

export const regularHoursSchema = z.object({
  weekday: z.number().int().min(1).max(7),
  period_begin: hhmm211,
  period_end: hhmm211,
});

export const exceptionalPeriodSchema = z.object({ period_begin: dateTime211, period_end: dateTime211 });

/**
 * Hours: a choice of `regular_hours` or `twentyfourseven`. The spec's own example sends
 * `"twentyfourseven": false` next to `regular_hours`, so that is accepted; read as
 * `twentyfourseven` (default false) + `regular_hours` ([]), never both 24/7 and regular hours.
 */
export const hoursSchema = z
  .object({
    regular_hours: list(regularHoursSchema),
    twentyfourseven: optional(z.boolean()),
    exceptional_openings: list(exceptionalPeriodSchema),
    exceptional_closings: list(exceptionalPeriodSchema),
  })
  .refine((hours) => !(hours.twentyfourseven === true && hours.regular_hours.length > 0), {
    message: 'is a choice: either regular_hours or twentyfourseven, not both',
    path: ['regular_hours'],
  })
  .refine((hours) => hours.twentyfourseven === true || hours.regular_hours.length > 0, {
    message: 'must list regular_hours unless twentyfourseven is true',
    path: ['regular_hours'],
  })
  .transform((hours) => ({
    regular_hours: hours.regular_hours,
    twentyfourseven: hours.twentyfourseven ?? false,
    exceptional_openings: hours.exceptional_openings,
    exceptional_closings: hours.exceptional_closings,
  }));

export const statusScheduleSchema = z.object({
  period_begin: dateTime211,
  period_end: optional(dateTime211),
  status: statusSchema,
});

const connectorShape = {
  id: id211(36),
  standard: connectorTypeSchema,
  format: connectorFormatSchema,
  power_type: powerTypeSchema,
  voltage: z.number().int().min(0),
  amperage: z.number().int().min(0),
  tariff_id: optional(string211(36)),
  terms_and_conditions: optional(url211),
  last_updated: dateTime211,
};
export const connectorSchema = z.object(connectorShape);

const evseShape = {
  uid: id211(39),
  evse_id: optional(string211(48)),
  status: statusSchema,
  status_schedule: list(statusScheduleSchema),
  capabilities: list(capabilitySchema),
  connectors: z.array(connectorSchema).min(1, 'must have at least one connector'),
  floor_level: optional(string211(4)),
  coordinates: optional(geoLocationSchema),
  physical_reference: optional(string211(16)),
  directions: list(displayTextSchema),
  parking_restrictions: list(parkingRestrictionSchema),
  images: list(imageSchema),
  last_updated: dateTime211,
};
export const evseSchema = z.object(evseShape);

const locationShape = {
  id: id211(39),
  type: locationTypeSchema,
  name: optional(string211(255)),
  address: string211(45),
  city: string211(45),
  postal_code: string211(10),
  country: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 country code'),
  coordinates: geoLocationSchema,
  related_locations: list(additionalGeoLocationSchema),
  evses: list(evseSchema),
  directions: list(displayTextSchema),
  operator: optional(businessDetailsSchema),
  suboperator: optional(businessDetailsSchema),
  owner: optional(businessDetailsSchema),
  facilities: list(facilitySchema),
  time_zone: optional(string211(255).min(1)),
  opening_times: optional(hoursSchema),
  charging_when_closed: optional(z.boolean()),
  images: list(imageSchema),
  energy_mix: optional(energyMixSchema),
  last_updated: dateTime211,
};
export const locationSchema = z.object(locationShape);

/**
 * PATCH bodies: any subset of the object's fields (2.1.1 does not require `last_updated` in a
 * PATCH). A field that is sent is checked as in the full object; `null` on an optional field reads as
 * "not sent", on a list as [].
 */
const patchOf = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.object(shape).partial().refine((patch) => Object.values(patch).some((value) => value !== undefined), 'must change at least one field');
export const locationPatchSchema = patchOf(locationShape);
export const evsePatchSchema = patchOf(evseShape);
export const connectorPatchSchema = patchOf(connectorShape);

export type LocationType = z.output<typeof locationTypeSchema>;
export type Location = z.output<typeof locationSchema>;
export type Evse = z.output<typeof evseSchema>;
export type Connector = z.output<typeof connectorSchema>;
export type Hours = z.output<typeof hoursSchema>;
export type LocationPatch = z.output<typeof locationPatchSchema>;
export type EvsePatch = z.output<typeof evsePatchSchema>;
export type ConnectorPatch = z.output<typeof connectorPatchSchema>;
