import { runProcess } from '@voltmesh/telemetry';
import { startLocations } from './app.js';
import { loadLocationsConfig } from './config.js';

const config = loadLocationsConfig();

await runProcess({
  service: 'locations',
  logLevel: config.LOG_LEVEL,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: (logger) => startLocations(config, logger),
});
