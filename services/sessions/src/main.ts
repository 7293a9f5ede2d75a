import { runService } from '@voltmesh/runtime';
import { buildSessions } from './app.js';
import { loadSessionsConfig } from './config.js';

const config = loadSessionsConfig();

await runService('sessions', config, (deps) => buildSessions(config, deps));
