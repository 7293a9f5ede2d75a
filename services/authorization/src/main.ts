import { runService } from '@voltmesh/runtime';
import { buildAuthorization } from './app.js';
import { loadAuthorizationConfig } from './config.js';

await runService('authorization', loadAuthorizationConfig(), buildAuthorization);
