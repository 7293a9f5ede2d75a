import { z } from 'zod';
import { grpcServiceEnv, parseEnv } from '@voltmesh/config';

const env = z.object(grpcServiceEnv({ mongoDb: 'voltmesh_tariffs', grpcPort: 50054 }));

export type TariffsConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadTariffsConfig(source: NodeJS.ProcessEnv = process.env): TariffsConfig {
  return parseEnv(env, source);
}
