import { z } from 'zod';
import { grpcServiceEnv, parseEnv } from '@voltmesh/config';

const env = z.object(grpcServiceEnv({ mongoDb: 'voltmesh_authorization', grpcPort: 50052 }));

export type AuthorizationConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadAuthorizationConfig(source: NodeJS.ProcessEnv = process.env): AuthorizationConfig {
  return parseEnv(env, source);
}
