import { runService } from '@voltmesh/runtime';
import { buildTariffs } from './app.js';
import { loadTariffsConfig } from './config.js';

const config = loadTariffsConfig();

await runService('tariffs', config, (deps) => buildTariffs(config, deps));
