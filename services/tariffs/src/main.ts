import { runService } from '@voltmesh/runtime';
import { buildTariffs } from './app.js';
import { loadTariffsConfig } from './config.js';

await runService('tariffs', loadTariffsConfig(), buildTariffs);
