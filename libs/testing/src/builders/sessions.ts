import type { Cdr, CdrLocation, CdrToken, ChargingPeriod, Session } from '@voltmesh/ocpi';
import { BUILDER_TIME } from './locations.js';
import { aTariff } from './tariffs.js';

/**
 * Test-data builders for OCPI sessions and CDRs, consistent with the other builders: CPO
 * DE*ABC at LOC1/EVSE-1/connector 1 (aLocation), token 012345678 of eMSP DE*EMS (aToken),
 * tariff TARIFF1 (aTariff: €0.25/kWh + 21% VAT). One hour, 10 kWh.
 */
export const aCdrToken = (overrides: Partial<CdrToken> = {}): CdrToken => ({
  country_code: 'DE',
  party_id: 'EMS',
  uid: '012345678',
  type: 'RFID',
  contract_id: 'DE-EMS-C12345678-X',
  ...overrides,
});

export const aChargingPeriod = (overrides: Partial<ChargingPeriod> = {}): ChargingPeriod => ({
  start_date_time: BUILDER_TIME,
  dimensions: [
    { type: 'ENERGY', volume: 10 },
    { type: 'TIME', volume: 1 },
  ],
  tariff_id: 'TARIFF1',
  ...overrides,
});

export const aSession = (overrides: Partial<Session> = {}): Session => ({
  country_code: 'DE',
  party_id: 'ABC',
  id: 'SESSION1',
  start_date_time: BUILDER_TIME,
  kwh: 10,
  cdr_token: aCdrToken(),
  auth_method: 'WHITELIST',
  location_id: 'LOC1',
  evse_uid: 'EVSE-1',
  connector_id: '1',
  currency: 'EUR',
  charging_periods: [aChargingPeriod()],
  status: 'ACTIVE',
  last_updated: BUILDER_TIME,
  ...overrides,
});

export const aCdrLocation = (overrides: Partial<CdrLocation> = {}): CdrLocation => ({
  id: 'LOC1',
  address: 'Street 1',
  city: 'Berlin',
  country: 'DEU',
  coordinates: { latitude: '52.520008', longitude: '13.404954' },
  evse_uid: 'EVSE-1',
  evse_id: 'DE*ABC*E1',
  connector_id: '1',
  connector_standard: 'IEC_62196_T2',
  connector_format: 'SOCKET',
  connector_power_type: 'AC_3_PHASE',
  ...overrides,
});

/** A CDR of that session: 10 kWh × €0.25 = €2.50 excl. VAT, €3.025 incl. 21% VAT. */
export const aCdr = (overrides: Partial<Cdr> = {}): Cdr => ({
  country_code: 'DE',
  party_id: 'ABC',
  id: 'CDR1',
  start_date_time: BUILDER_TIME,
  end_date_time: '2026-01-01T11:00:00.000Z',
  session_id: 'SESSION1',
  cdr_token: aCdrToken(),
  auth_method: 'WHITELIST',
  cdr_location: aCdrLocation(),
  currency: 'EUR',
  tariffs: [aTariff()],
  charging_periods: [aChargingPeriod()],
  total_cost: { excl_vat: 2.5, incl_vat: 3.025 },
  total_energy: 10,
  total_energy_cost: { excl_vat: 2.5, incl_vat: 3.025 },
  total_time: 1,
  last_updated: '2026-01-01T11:00:00.000Z',
  ...overrides,
});
