import { runProcess } from '@voltmesh/telemetry';
import { startSessions } from './app.js';
import { loadSessionsConfig } from './config.js';

const config = loadSessionsConfig();

await runProcess({
  service: 'sessions',
  logLevel: config.LOG_LEVEL,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: (logger) => startSessions(config, logger),
});
