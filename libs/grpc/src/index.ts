export { startGrpcServer } from './server.js';
export type { GrpcServiceBinding, RunningGrpcServer } from './server.js';
export { hostGrpcServices } from './host.js';
export type { HostedService } from './host.js';
export { unary, toServiceError } from './errors.js';
export { checkGrpcHealth } from './health-client.js';
export { callUnary } from './client.js';
export { readListRequest, ownerOf } from './list-request.js';
export type { ListRequestFilter, ListRequestPage } from './list-request.js';
