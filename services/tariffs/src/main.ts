import { runProcess } from '@voltmesh/telemetry';
import { startTariffs } from './app.js';
import { loadTariffsConfig } from './config.js';

const config = loadTariffsConfig();

await runProcess({
  service: 'tariffs',
  logLevel: config.LOG_LEVEL,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: (logger) => startTariffs(config, logger),
});
