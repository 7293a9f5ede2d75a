import { runService } from '@voltmesh/runtime';
import { buildBilling } from './app.js';
import { loadBillingConfig } from './config.js';

const config = loadBillingConfig();

await runService('billing', config, (deps) => buildBilling(config, deps));
