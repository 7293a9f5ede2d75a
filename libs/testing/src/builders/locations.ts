import type { Connector, Evse, Location } from '@voltmesh/ocpi';

/**
 * Test-data builders for OCPI locations: valid objects (as the OCPI schemas output them)
 * that a test changes only where it matters, e.g. `aLocation({ id: 'LOC2' })`.
 */
export const BUILDER_TIME = '2026-01-01T10:00:00.000Z';

export const aConnector = (overrides: Partial<Connector> = {}): Connector => ({
  id: '1',
  standard: 'IEC_62196_T2',
  format: 'SOCKET',
  power_type: 'AC_3_PHASE',
  max_voltage: 230,
  max_amperage: 32,
  tariff_ids: [],
  last_updated: BUILDER_TIME,
  ...overrides,
});

export const anEvse = (overrides: Partial<Evse> = {}): Evse => ({
  uid: 'EVSE-1',
  status: 'AVAILABLE',
  status_schedule: [],
  capabilities: [],
  connectors: [aConnector()],
  directions: [],
  parking_restrictions: [],
  images: [],
  last_updated: BUILDER_TIME,
  ...overrides,
});

export const aLocation = (overrides: Partial<Location> = {}): Location => ({
  country_code: 'DE',
  party_id: 'ABC',
  id: 'LOC1',
  publish: true,
  publish_allowed_to: [],
  address: 'Street 1',
  city: 'Berlin',
  country: 'DEU',
  coordinates: { latitude: '52.52000', longitude: '13.40500' },
  related_locations: [],
  evses: [anEvse(), anEvse({ uid: 'EVSE-2' })],
  directions: [],
  facilities: [],
  time_zone: 'Europe/Berlin',
  images: [],
  last_updated: BUILDER_TIME,
  ...overrides,
});
