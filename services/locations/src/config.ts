import { z } from 'zod';
import { grpcServiceEnv, parseEnv } from '@voltmesh/config';

const env = z.object(grpcServiceEnv({ mongoDb: 'voltmesh_locations', grpcPort: 50051 }));

export type LocationsConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadLocationsConfig(source: NodeJS.ProcessEnv = process.env): LocationsConfig {
  return parseEnv(env, source);
}
