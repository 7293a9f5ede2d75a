import { runService } from '@voltmesh/runtime';
import { buildLocations } from './app.js';
import { loadLocationsConfig } from './config.js';

const config = loadLocationsConfig();

await runService('locations', config, (deps) => buildLocations(config, deps));
