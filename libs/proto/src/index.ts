// Generated protobuf/gRPC code (ts-proto) from /proto. Regenerate with `make proto`.
export * as common from './gen/voltmesh/common/v1/party.js';
export * as partners from './gen/voltmesh/gateway/v1/partner_connection.js';
export * as partnerService from './gen/voltmesh/gateway/v1/partner_service.js';
export { descriptorSet } from './descriptor.js';
