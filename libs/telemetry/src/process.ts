import { diag, DiagLogLevel } from '@opentelemetry/api';
import { createLogger, type Logger } from './logger.js';
import { startTelemetry, type MetricsEndpoint } from './sdk.js';

export interface Stoppable {
  /** Stop intake, drain in-flight work, commit, close connections. */
  stop(): Promise<void>;
}

export interface ProcessOptions {
  service: string;
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Where Prometheus scrapes this process; none when absent. */
  metrics?: MetricsEndpoint;
  start: (logger: Logger) => Promise<Stoppable>;
}

/**
 * The life of one mesh process: the logger (the SDK's warnings go to it), telemetry (tracer,
 * propagator, the Prometheus endpoint), then the service, then a graceful stop on SIGTERM/SIGINT bounded by a timeout. A failed start exits 1.
 */
export async function runProcess(options: ProcessOptions): Promise<void> {
  const logger = createLogger(options.service, options.logLevel);
  // The SDK's own warnings (an exporter that cannot reach its collector, a metrics port in use).
  diag.setLogger(
    {
      error: (message, ...args) => logger.error({ otel: args }, message),
      warn: (message, ...args) => logger.warn({ otel: args }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const telemetry = startTelemetry(process.env, options.metrics);
  let running: Stoppable;
  try {
    running = await options.start(logger);
  } catch (error) {
    logger.fatal({ err: error }, 'start failed');
    await telemetry.shutdown().catch(() => undefined);
    process.exit(1);
  }
  logger.info('started');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('graceful stop timed out, exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs);
    timer.unref();
    try {
      await running.stop();
      await telemetry.shutdown();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}
