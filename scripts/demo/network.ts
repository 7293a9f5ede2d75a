import type { Connector, Evse, Location, Tariff } from '@voltmesh/ocpi';

/**
 * The demo CPO network: deterministic, valid OCPI objects for our own CPO party — locations
 * around Amsterdam with AC and DC EVSEs, and tariffs including time-of-day and parking ones.
 */
export interface DemoNetwork {
  locations: Location[];
  tariffs: Tariff[];
}

export interface DemoOptions {
  countryCode: string;
  partyId: string;
  locations: number;
  evsesPerLocation: number;
  /** The network's timestamps. */
  at: string;
}

/** A small deterministic generator (mulberry32): the same network on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** AC locations take these in turn; DC ones DC-FAST. */
const AC_TARIFFS = ['AC-STANDARD', 'AC-TIME-OF-DAY', 'AC-PARKING'];

const STREETS = ['Damrak', 'Rokin', 'Prinsengracht', 'Keizersgracht', 'Herengracht', 'Overtoom', 'Ferdinand Bolstraat', 'Javastraat', 'Van Woustraat', 'Kinkerstraat'];

export function demoTariffs(options: Pick<DemoOptions, 'countryCode' | 'partyId' | 'at'>): Tariff[] {
  const base = { country_code: options.countryCode, party_id: options.partyId, currency: 'EUR', tariff_alt_text: [], last_updated: options.at };
  return [
    {
      ...base,
      id: 'AC-STANDARD',
      type: 'REGULAR',
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.39, vat: 21, step_size: 1 }] }],
    },
    {
      ...base,
      id: 'DC-FAST',
      type: 'PROFILE_FAST',
      elements: [{ price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 1 }, { type: 'ENERGY', price: 0.59, vat: 21, step_size: 1 }, { type: 'TIME', price: 6, vat: 21, step_size: 60 }] }],
    },
    {
      // Time of day: cheaper at night, local time of the location.
      ...base,
      id: 'AC-TIME-OF-DAY',
      type: 'PROFILE_CHEAP',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.45, vat: 21, step_size: 1 }], restrictions: { start_time: '07:00', end_time: '23:00', day_of_week: [] } },
        { price_components: [{ type: 'ENERGY', price: 0.29, vat: 21, step_size: 1 }], restrictions: { start_time: '23:00', end_time: '07:00', day_of_week: [] } },
      ],
    },
    {
      // Parking: free for the first two hours at the charger, then per hour (billed per 15 minutes).
      ...base,
      id: 'AC-PARKING',
      type: 'REGULAR',
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.35, vat: 21, step_size: 1 }] },
        { price_components: [{ type: 'PARKING_TIME', price: 0, vat: 21, step_size: 900 }], restrictions: { max_duration: 7200, day_of_week: [] } },
        { price_components: [{ type: 'PARKING_TIME', price: 2.5, vat: 21, step_size: 900 }], restrictions: { min_duration: 7200, day_of_week: [] } },
      ],
    },
  ];
}

export function demoNetwork(options: DemoOptions): DemoNetwork {
  const next = random(20261127);
  const tariffs = demoTariffs(options);
  const locations: Location[] = [];
  for (let index = 0; index < options.locations; index += 1) {
    const id = `AMS-${String(index + 1).padStart(3, '0')}`;
    const fast = index % 5 === 0;
    const evses: Evse[] = [];
    for (let evse = 0; evse < options.evsesPerLocation; evse += 1) {
      const uid = `${id}-E${evse + 1}`;
      const connector: Connector = fast
        ? { id: '1', standard: 'IEC_62196_T2_COMBO', format: 'CABLE', power_type: 'DC', max_voltage: 920, max_amperage: 250, max_electric_power: 150_000, tariff_ids: ['DC-FAST'], last_updated: options.at }
        : { id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16, tariff_ids: [AC_TARIFFS[index % AC_TARIFFS.length]!], last_updated: options.at };
      evses.push({
        uid,
        evse_id: `${options.countryCode}*${options.partyId}*E${id.replace(/\W/g, '')}${evse + 1}`,
        status: 'AVAILABLE',
        status_schedule: [],
        capabilities: ['RFID_READER', 'REMOTE_START_STOP_CAPABLE'],
        connectors: [connector],
        directions: [],
        parking_restrictions: [],
        images: [],
        last_updated: options.at,
      });
    }
    const latitude = (52.3 + next() * 0.12).toFixed(6);
    const longitude = (4.8 + next() * 0.15).toFixed(6);
    locations.push({
      country_code: options.countryCode,
      party_id: options.partyId,
      id,
      publish: true,
      publish_allowed_to: [],
      name: `Voltmesh ${STREETS[index % STREETS.length]} ${index + 1}`,
      address: `${STREETS[index % STREETS.length]} ${1 + Math.floor(next() * 300)}`,
      city: 'Amsterdam',
      postal_code: `10${String(10 + Math.floor(next() * 89))} AB`,
      country: 'NLD',
      coordinates: { latitude, longitude },
      related_locations: [],
      parking_type: fast ? 'PARKING_LOT' : 'ON_STREET',
      evses,
      directions: [],
      facilities: fast ? ['CAFE', 'WIFI'] : [],
      time_zone: 'Europe/Amsterdam',
      opening_times: { twentyfourseven: true, regular_hours: [], exceptional_openings: [], exceptional_closings: [] },
      images: [],
      last_updated: options.at,
    });
  }
  return { locations, tariffs };
}
