import { runService } from '@voltmesh/runtime';
import { buildBilling } from './app.js';
import { loadBillingConfig } from './config.js';

await runService('billing', loadBillingConfig(), buildBilling);
