export { parseEnv, ConfigError, port, csv, positiveInt, flag, runtimeEnv, grpcServiceEnv } from './parse-env.js';
export { ownParties, partiesWithRole } from './own-parties.js';
export type { OwnParty } from './own-parties.js';
