import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's schema; lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses environment variables with a zod object schema. Every service's `config.ts` calls
 * this once; nothing else reads `process.env`.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** A TCP port given as a string in the environment. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A comma-separated list ("a,b, c") as a string array. */
export const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

/** Positive integer with a default, e.g. a timeout in milliseconds. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** "true"/"false"/"1"/"0" as a boolean; z.coerce.boolean would read "false" as true. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1'));

/** Settings every process of the mesh shares: where Kafka and Mongo are, how loud to log. */
export const runtimeEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_BROKERS: csv('127.0.0.1:9092'),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:27027/'),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  /** Prometheus scrapes `http://METRICS_HOST:METRICS_PORT/metrics`. */
  METRICS_HOST: z.string().default('0.0.0.0'),
  METRICS_PORT: port(9464),
};

/** The settings of a process that serves gRPC and owns one Mongo database. */
export const grpcServiceEnv = (defaults: { mongoDb: string; grpcPort: number }) => ({
  ...runtimeEnv,
  MONGO_DB: z.string().default(defaults.mongoDb),
  GRPC_HOST: z.string().default('127.0.0.1'),
  GRPC_PORT: port(defaults.grpcPort),
});
