export { OcpiStatus } from './status-codes.js';
export type { OcpiStatusCode } from './status-codes.js';
export { ocpiDateTime, parseOcpiDateTime, formatOcpiDateTime } from './datetime.js';
export { ocpiSuccess, ocpiErrorBody, ocpiEnvelopeSchema } from './envelope.js';
export type { OcpiResponse } from './envelope.js';
export { OcpiError, methodNotAllowed, zodErrorMessage, invalidBody } from './ocpi-error.js';
export {
  OcpiHeader,
  parseAuthorizationHeader,
  encodeAuthorizationHeader,
  isValidCredentialsToken,
  parseRoutingHeaders,
  responseRoutingHeaders,
} from './headers.js';
export type { RoutingHeaders } from './headers.js';
export { paginationQuerySchema, pageHeaders, parseNextLink } from './pagination.js';
export type { PageQuery } from './pagination.js';
export { joinUrl, withTrailingSlash } from './url.js';
export { optional, ocpiString, ciString, ocpiUrl } from './schemas/common.js';
export { versionSchema, versionDetailsSchema, endpointSchema, interfaceRoleSchema, VERSION_NUMBERS, MODULE_IDS } from './schemas/versions.js';
export type { Version, VersionDetails, Endpoint, ModuleId } from './schemas/versions.js';
export {
  credentialsSchema,
  credentialsRoleSchema,
  credentialsTokenSchema,
  businessDetailsSchema,
  imageSchema,
  roleSchema,
  ROLES,
} from './schemas/credentials.js';
export type { Credentials, Role } from './schemas/credentials.js';
export { list, displayTextSchema, priceSchema, energyMixSchema, objectId } from './schemas/types.js';
export {
  locationSchema,
  evseSchema,
  connectorSchema,
  statusSchema,
  capabilitySchema,
  connectorTypeSchema,
  powerTypeSchema,
  geoLocationSchema,
  hoursSchema,
  STATUSES,
} from './schemas/locations.js';
export type { Location, Evse, Connector, LocationStatus } from './schemas/locations.js';
export { tariffSchema, tariffElementSchema, priceComponentSchema, tariffRestrictionsSchema, tariffDimensionTypeSchema } from './schemas/tariffs.js';
export type { Tariff, TariffElement, PriceComponent, TariffRestrictions } from './schemas/tariffs.js';
export { sameContent } from './same-content.js';
export { tokenTypeSchema } from './schemas/locations.js';
export {
  tokenSchema,
  whitelistTypeSchema,
  allowedTypeSchema,
  profileTypeSchema,
  energyContractSchema,
  locationReferencesSchema,
  authorizationInfoSchema,
} from './schemas/tokens.js';
export type { Token, LocationReferences, AuthorizationInfo } from './schemas/tokens.js';
export {
  commandTypeSchema,
  commandResponseTypeSchema,
  commandResultTypeSchema,
  commandSchemas,
  startSessionSchema,
  stopSessionSchema,
  reserveNowSchema,
  cancelReservationSchema,
  unlockConnectorSchema,
  commandResponseSchema,
  commandResultSchema,
} from './schemas/commands.js';
export type { CommandType, StartSession, CommandResponse, CommandResult } from './schemas/commands.js';
export {
  sessionSchema,
  sessionObjectSchema,
  sessionPatchSchema,
  checkPeriodOrder,
  sessionStatusSchema,
  authMethodSchema,
  cdrDimensionTypeSchema,
  cdrDimensionSchema,
  chargingPeriodSchema,
  cdrTokenSchema,
  currencySchema,
  chargingPreferencesSchema,
  chargingPreferencesResponseSchema,
  SESSION_ONLY_DIMENSIONS,
} from './schemas/sessions.js';
export type { Session, SessionPatch, ChargingPeriod, CdrToken, ChargingPreferences } from './schemas/sessions.js';
export { cdrSchema, cdrLocationSchema, signedDataSchema, signedValueSchema, cdrTotalsProblem } from './schemas/cdrs.js';
export type { Cdr, CdrLocation } from './schemas/cdrs.js';
export { parseJsonText, parseJsonField } from './json-field.js';
export { clientInfoSchema, connectionStatusSchema } from './schemas/hub-client-info.js';
export type { ClientInfo, ConnectionStatus } from './schemas/hub-client-info.js';
export {
  chargingRateUnitSchema,
  chargingProfileResponseTypeSchema,
  chargingProfileResultTypeSchema,
  chargingProfilePeriodSchema,
  chargingProfileSchema,
  setChargingProfileSchema,
  getActiveChargingProfileSchema,
  clearProfileSchema,
  activeChargingProfileSchema,
  chargingProfileResponseSchema,
  chargingProfileResultSchema,
  clearProfileResultSchema,
  activeChargingProfileResultSchema,
  hasAtMostOneDecimal,
  PROFILE_COMMAND_TYPES,
  isProfileCommand,
} from './schemas/charging-profiles.js';
export type {
  ChargingProfile,
  SetChargingProfile,
  ActiveChargingProfile,
  ChargingProfileResponse,
  ChargingProfileResponseType,
  ChargingProfileResultType,
  ProfileCommandType,
} from './schemas/charging-profiles.js';
