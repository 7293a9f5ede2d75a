import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';

/**
 * Composition root of the authorization service. It runs on the shared service skeleton (own Mongo
 * database, Kafka producer, gRPC with standard health); its RPCs and consumers arrive with
 * issue #4 (tokens and commands).
 */
export function buildAuthorization(_deps: ServiceDeps): ServiceParts {
  return { grpcServices: [] };
}
