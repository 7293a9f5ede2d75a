import { runService } from '@voltmesh/runtime';
import { buildSessions } from './app.js';
import { loadSessionsConfig } from './config.js';

await runService('sessions', loadSessionsConfig(), buildSessions);
