/**
 * OCPI 2.1.1 wire schemas, for partners still on 2.1.1. Imported as a namespace
 * (`import * as v211 from '@voltmesh/ocpi/v2_1_1'`), so names match the 2.2.1 ones.
 * The internal model is 2.2.1; the gateway edge maps (services/partner-gateway/src/edge).
 */
export * from './common.js';
export * from './versions.js';
export * from './credentials.js';
export * from './locations.js';
export * from './tariffs.js';
export * from './tokens.js';
export * from './commands.js';
export * from './sessions.js';
export * from './cdrs.js';
