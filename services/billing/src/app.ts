import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';

/**
 * Composition root of the billing service. It runs on the shared service skeleton (own Mongo
 * database, Kafka producer, gRPC with standard health); its RPCs and consumers arrive with
 * issue #5 (sessions and billing).
 */
export function buildBilling(_deps: ServiceDeps): ServiceParts {
  return { grpcServices: [] };
}
