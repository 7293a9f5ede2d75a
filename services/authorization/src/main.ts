import { runProcess } from '@voltmesh/telemetry';
import { startAuthorization } from './app.js';
import { loadAuthorizationConfig } from './config.js';

const config = loadAuthorizationConfig();

await runProcess({
  service: 'authorization',
  logLevel: config.LOG_LEVEL,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: (logger) => startAuthorization(config, logger),
});
