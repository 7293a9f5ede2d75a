// Generated protobuf/gRPC code (ts-proto) from /proto. Regenerate with `make proto`.
export * as common from './gen/voltmesh/common/v1/party.js';
export * as objects from './gen/voltmesh/common/v1/object.js';
export * as partners from './gen/voltmesh/gateway/v1/partner_connection.js';
export * as partnerService from './gen/voltmesh/gateway/v1/partner_service.js';
export * as locations from './gen/voltmesh/locations/v1/location.js';
export * as locationService from './gen/voltmesh/locations/v1/location_service.js';
export * as tariffs from './gen/voltmesh/tariffs/v1/tariff.js';
export * as tariffService from './gen/voltmesh/tariffs/v1/tariff_service.js';
export * as tokens from './gen/voltmesh/authorization/v1/token.js';
export * as tokenService from './gen/voltmesh/authorization/v1/authorization_service.js';
export * as commands from './gen/voltmesh/sessions/v1/command.js';
export * as commandService from './gen/voltmesh/sessions/v1/command_service.js';
export * as sessions from './gen/voltmesh/sessions/v1/session.js';
export * as sessionService from './gen/voltmesh/sessions/v1/session_service.js';
export * as cdrs from './gen/voltmesh/billing/v1/cdr.js';
export * as billingService from './gen/voltmesh/billing/v1/billing_service.js';
export { descriptorSet } from './descriptor.js';
