import { runProcess } from '@voltmesh/telemetry';
import { startBilling } from './app.js';
import { loadBillingConfig } from './config.js';

const config = loadBillingConfig();

await runProcess({
  service: 'billing',
  logLevel: config.LOG_LEVEL,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: (logger) => startBilling(config, logger),
});
