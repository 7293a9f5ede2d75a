import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';

/**
 * Composition root of the sessions service. It runs on the shared service skeleton (own Mongo
 * database, Kafka producer, gRPC with standard health); its RPCs and consumers arrive with
 * issues #4 and #5.
 */
export function buildSessions(_deps: ServiceDeps): ServiceParts {
  return { grpcServices: [] };
}
