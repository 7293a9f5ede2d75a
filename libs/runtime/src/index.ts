export { runService } from './run-service.js';
export type { ServiceDeps, ServiceParts, ServiceRuntimeConfig } from './run-service.js';
