import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';

/**
 * Composition root of the locations service. It runs on the shared service skeleton (own Mongo
 * database, Kafka producer, gRPC with standard health); its RPCs and consumers arrive with
 * issue #3 (locations and tariffs).
 */
export function buildLocations(_deps: ServiceDeps): ServiceParts {
  return { grpcServices: [] };
}
