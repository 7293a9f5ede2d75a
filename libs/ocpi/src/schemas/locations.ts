import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { businessDetailsSchema, imageSchema } from './credentials.js';
import { ciString, ocpiString, ocpiUrl, optional } from './common.js';
import { displayTextSchema, energyMixSchema, list, objectId } from './types.js';

export const STATUSES = ['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN'] as const;
export const statusSchema = z.enum(STATUSES);

export const capabilitySchema = z.enum([
  'CHARGING_PROFILE_CAPABLE',
  'CHARGING_PREFERENCES_CAPABLE',
  'CHIP_CARD_SUPPORT',
  'CONTACTLESS_CARD_SUPPORT',
  'CREDIT_CARD_PAYABLE',
  'DEBIT_CARD_PAYABLE',
  'PED_TERMINAL',
  'REMOTE_START_STOP_CAPABLE',
  'RESERVABLE',
  'RFID_READER',
  'START_SESSION_CONNECTOR_REQUIRED',
  'TOKEN_GROUP_CAPABLE',
  'UNLOCK_CAPABLE',
]);

/** 40 values, some mixed-case (IEC_60309_2_single_16): compared exactly, as the spec spells them. */
export const connectorTypeSchema = z.enum([
  'CHADEMO', 'CHAOJI', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_E', 'DOMESTIC_F',
  'DOMESTIC_G', 'DOMESTIC_H', 'DOMESTIC_I', 'DOMESTIC_J', 'DOMESTIC_K', 'DOMESTIC_L', 'DOMESTIC_M', 'DOMESTIC_N',
  'DOMESTIC_O', 'GBT_AC', 'GBT_DC', 'IEC_60309_2_single_16', 'IEC_60309_2_three_16', 'IEC_60309_2_three_32',
  'IEC_60309_2_three_64', 'IEC_62196_T1', 'IEC_62196_T1_COMBO', 'IEC_62196_T2', 'IEC_62196_T2_COMBO',
  'IEC_62196_T3A', 'IEC_62196_T3C', 'NEMA_5_20', 'NEMA_6_30', 'NEMA_6_50', 'NEMA_10_30', 'NEMA_10_50',
  'NEMA_14_30', 'NEMA_14_50', 'PANTOGRAPH_BOTTOM_UP', 'PANTOGRAPH_TOP_DOWN', 'TESLA_R', 'TESLA_S',
]);
export const connectorFormatSchema = z.enum(['SOCKET', 'CABLE']);
export const powerTypeSchema = z.enum(['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC']);
export const parkingTypeSchema = z.enum(['ALONG_MOTORWAY', 'PARKING_GARAGE', 'PARKING_LOT', 'ON_DRIVEWAY', 'ON_STREET', 'UNDERGROUND_GARAGE']);
export const parkingRestrictionSchema = z.enum(['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES']);
export const facilitySchema = z.enum([
  'HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BIKE_SHARING',
  'BUS_STOP', 'TAXI_STAND', 'TRAM_STOP', 'METRO_STATION', 'TRAIN_STATION', 'AIRPORT', 'PARKING_LOT', 'CARPOOL_PARKING',
  'FUEL_STATION', 'WIFI',
]);
export const tokenTypeSchema = z.enum(['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID']);

/** WGS84 as strings with at least 5 decimals, as the spec requires. */
export const geoLocationSchema = z.object({
  latitude: z.string().regex(/^-?[0-9]{1,2}\.[0-9]{5,7}$/, 'must be a latitude with 5 to 7 decimals, e.g. 51.04759'),
  longitude: z.string().regex(/^-?[0-9]{1,3}\.[0-9]{5,7}$/, 'must be a longitude with 5 to 7 decimals, e.g. 3.72994'),
});

export const additionalGeoLocationSchema = geoLocationSchema.extend({ name: optional(displayTextSchema) });

const hhmm = z.string().regex(/^([0-1][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM');

export const regularHoursSchema = z.object({
  weekday: z.number().int().min(1).max(7),
  period_begin: hhmm,
  period_end: hhmm,
});

export const exceptionalPeriodSchema = z.object({ period_begin: ocpiDateTime, period_end: ocpiDateTime });

export const hoursSchema = z
  .object({
    twentyfourseven: z.boolean(),
    regular_hours: list(regularHoursSchema),
    exceptional_openings: list(exceptionalPeriodSchema),
    exceptional_closings: list(exceptionalPeriodSchema),
  })
  .refine((hours) => hours.twentyfourseven || hours.regular_hours.length > 0, {
    message: 'must list regular_hours when twentyfourseven is false',
    path: ['regular_hours'],
  });

export const statusScheduleSchema = z.object({
  period_begin: ocpiDateTime,
  period_end: optional(ocpiDateTime),
  status: statusSchema,
});

export const publishTokenTypeSchema = z
  .object({
    uid: optional(ciString(36)),
    type: optional(tokenTypeSchema),
    visual_number: optional(ocpiString(64)),
    issuer: optional(ocpiString(64)),
    group_id: optional(ciString(36)),
  })
  .refine((token) => token.uid || token.visual_number || token.group_id, 'needs at least one of uid, visual_number, group_id')
  .refine((token) => !token.uid || token.type, { message: 'type is required with uid', path: ['type'] })
  .refine((token) => !token.visual_number || token.issuer, { message: 'issuer is required with visual_number', path: ['issuer'] });

export const connectorSchema = z.object({
  id: objectId,
  standard: connectorTypeSchema,
  format: connectorFormatSchema,
  power_type: powerTypeSchema,
  max_voltage: z.number().int().min(0),
  max_amperage: z.number().int().min(0),
  max_electric_power: optional(z.number().int().min(0)),
  tariff_ids: list(ciString(36)),
  terms_and_conditions: optional(ocpiUrl),
  last_updated: ocpiDateTime,
});

export const evseSchema = z.object({
  uid: objectId,
  evse_id: optional(ciString(48)),
  status: statusSchema,
  status_schedule: list(statusScheduleSchema),
  capabilities: list(capabilitySchema),
  connectors: z.array(connectorSchema).min(1, 'must have at least one connector'),
  floor_level: optional(ocpiString(4)),
  coordinates: optional(geoLocationSchema),
  physical_reference: optional(ocpiString(16)),
  directions: list(displayTextSchema),
  parking_restrictions: list(parkingRestrictionSchema),
  images: list(imageSchema),
  last_updated: ocpiDateTime,
});

export const locationSchema = z
  .object({
    country_code: ciString(2, true),
    party_id: ciString(3, true),
    id: objectId,
    publish: z.boolean(),
    publish_allowed_to: list(publishTokenTypeSchema),
    name: optional(ocpiString(255)),
    // 2026 erratum: address 45 → 255, state 20 → 45.
    address: ocpiString(255),
    city: ocpiString(45),
    postal_code: optional(ocpiString(10)),
    state: optional(ocpiString(45)),
    country: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 country code'),
    coordinates: geoLocationSchema,
    related_locations: list(additionalGeoLocationSchema),
    parking_type: optional(parkingTypeSchema),
    evses: list(evseSchema),
    directions: list(displayTextSchema),
    operator: optional(businessDetailsSchema),
    suboperator: optional(businessDetailsSchema),
    owner: optional(businessDetailsSchema),
    facilities: list(facilitySchema),
    time_zone: ocpiString(255).min(1),
    opening_times: optional(hoursSchema),
    charging_when_closed: optional(z.boolean()),
    images: list(imageSchema),
    energy_mix: optional(energyMixSchema),
    last_updated: ocpiDateTime,
  })
  .refine((location) => !(location.publish && location.publish_allowed_to.length > 0), {
    message: 'publish_allowed_to is only allowed when publish is false',
    path: ['publish_allowed_to'],
  });

export type Location = z.output<typeof locationSchema>;
export type Evse = z.output<typeof evseSchema>;
export type Connector = z.output<typeof connectorSchema>;
export type LocationStatus = z.output<typeof statusSchema>;
