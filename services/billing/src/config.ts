import { z } from 'zod';
import { grpcServiceEnv, parseEnv } from '@voltmesh/config';

const env = z.object(grpcServiceEnv({ mongoDb: 'voltmesh_billing', grpcPort: 50055 }));

export type BillingConfig = z.output<typeof env>;

/** The only reader of process.env in this service. */
export function loadBillingConfig(source: NodeJS.ProcessEnv = process.env): BillingConfig {
  return parseEnv(env, source);
}
