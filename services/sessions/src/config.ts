import { z } from 'zod';
import { grpcServiceEnv, parseEnv } from '@voltmesh/config';

const env = z.object(grpcServiceEnv({ mongoDb: 'voltmesh_sessions', grpcPort: 50053 }));

export type SessionsConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadSessionsConfig(source: NodeJS.ProcessEnv = process.env): SessionsConfig {
  return parseEnv(env, source);
}
