import { runService } from '@voltmesh/runtime';
import { buildAuthorization } from './app.js';
import { loadAuthorizationConfig } from './config.js';

const config = loadAuthorizationConfig();

await runService('authorization', config, (deps) => buildAuthorization(config, deps));
