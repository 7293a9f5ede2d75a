import { z } from 'zod';
import { grpcServiceEnv, parseEnv, positiveInt } from '@voltmesh/config';

const env = z.object({
  ...grpcServiceEnv({ mongoDb: 'voltmesh_tariffs', grpcPort: 50054 }),
  /** Page size of ListTariffs when the caller names none. */
  LIST_DEFAULT_LIMIT: positiveInt(100),
  /** The most one ListTariffs page returns, whatever the caller asks (OCPI X-Limit). */
  LIST_MAX_LIMIT: positiveInt(500),
  /** How often saves whose event may be lost are looked for and republished. */
  REPUBLISH_INTERVAL_MS: positiveInt(5000),
});

export type TariffsConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadTariffsConfig(source: NodeJS.ProcessEnv = process.env): TariffsConfig {
  return parseEnv(env, source);
}
