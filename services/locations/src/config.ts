import { z } from 'zod';
import { grpcServiceEnv, parseEnv, positiveInt } from '@voltmesh/config';

const env = z.object({
  ...grpcServiceEnv({ mongoDb: 'voltmesh_locations', grpcPort: 50051 }),
  /** Page size of ListLocations when the caller names none. */
  LIST_DEFAULT_LIMIT: positiveInt(100),
  /** The most one ListLocations page returns, whatever the caller asks (OCPI X-Limit). */
  LIST_MAX_LIMIT: positiveInt(500),
  /** How often saves whose event may be lost are looked for and republished. */
  REPUBLISH_INTERVAL_MS: positiveInt(5000),
});

export type LocationsConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadLocationsConfig(source: NodeJS.ProcessEnv = process.env): LocationsConfig {
  return parseEnv(env, source);
}
