export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { startTelemetry } from './sdk.js';
export type { MetricsEndpoint } from './sdk.js';
export { runProcess } from './process.js';
export type { Stoppable, ProcessOptions } from './process.js';
export { counter, durationHistogram, observeGauge, secondsSince, DURATION_BUCKETS } from './metrics.js';
