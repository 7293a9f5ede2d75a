import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values must never reach a log line (credentials tokens, driver identifiers). */
const REDACT_PATHS = [
  'token',
  '*.token',
  'token_a',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'auth_id',
  '*.auth_id',
  'contract_id',
  '*.contract_id',
];

/** JSON logger with the active trace and span ids on every line. */
export function createLogger(service: string, level: string = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  },
    destination,
  );
}
