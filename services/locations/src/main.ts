import { runService } from '@voltmesh/runtime';
import { buildLocations } from './app.js';
import { loadLocationsConfig } from './config.js';

await runService('locations', loadLocationsConfig(), buildLocations);
