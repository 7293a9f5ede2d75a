import type { Token } from '@voltmesh/ocpi';
import { BUILDER_TIME } from './locations.js';

/**
 * Test-data builder for OCPI tokens: a valid RFID token of eMSP DE*EMS, whitelist ALLOWED,
 * e.g. `aToken({ uid: 'AB12', whitelist: 'NEVER' })`.
 */
export const aToken = (overrides: Partial<Token> = {}): Token => ({
  country_code: 'DE',
  party_id: 'EMS',
  uid: '012345678',
  type: 'RFID',
  contract_id: 'DE-EMS-C12345678-X',
  issuer: 'Test eMSP',
  valid: true,
  whitelist: 'ALLOWED',
  last_updated: BUILDER_TIME,
  ...overrides,
});
