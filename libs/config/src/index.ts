export { parseEnv, ConfigError, port, csv, positiveInt, flag, runtimeEnv, grpcServiceEnv } from './parse-env.js';
