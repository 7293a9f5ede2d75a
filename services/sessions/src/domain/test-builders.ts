import type { ChargingPeriod } from '@voltmesh/ocpi';
import { aCdrLocation, aTariff } from '@voltmesh/testing';
import type { CommandRecord } from './command.js';
import { startCpoSession, type NewCpoSession } from './cpo-session.js';
import type { SessionRecord, StartFacts } from './session.js';

export const T0 = '2026-05-10T10:00:00.000Z';

/** A time `seconds` after T0. */
export const after = (seconds: number): Date => new Date(Date.parse(T0) + seconds * 1000);

/** Test-data builder: an outbound START_SESSION just requested, e.g. `aCommand({ state: 'ACCEPTED' })`. */
export const aCommand = (overrides: Partial<CommandRecord> = {}): CommandRecord => ({
  id: '5b0d2f7e-6f1c-4c58-9d86-2f0b7cbb1a11',
  direction: 'OUTBOUND',
  type: 'START_SESSION',
  connectionId: '',
  cpo: { countryCode: 'DE', partyId: 'CPO' },
  emsp: { countryCode: 'NL', partyId: 'VLM' },
  ocpiJson: '{}',
  state: 'REQUESTED',
  responseJson: '',
  resultJson: '',
  requestedAt: T0,
  deadline: '',
  updatedAt: T0,
  sessionId: '',
  authorizationReference: '5B0D2F7E-6F1C-4C58-9D86-2F0B7CBB1A11',
  locationId: 'LOC1',
  evseUid: 'EVSE1',
  connectorId: '1',
  reservationId: '',
  tokenUid: 'TOKEN1',
  tokenType: 'APP_USER',
  expiryDate: '',
  ...overrides,
});

/** The start of a session at our charger DE*ABC LOC1/EVSE-1/1 (as the @voltmesh/testing builders), T0, RFID token DE*EMS 012345678. */
export const aStart = (overrides: Partial<StartFacts> = {}): StartFacts => ({
  tokenParty: 'DE*EMS',
  tokenUid: '012345678',
  tokenType: 'RFID',
  authMethod: 'WHITELIST',
  authorizationReference: '',
  locationId: 'LOC1',
  evseUid: 'EVSE-1',
  connectorId: '1',
  meterId: '',
  startDateTime: T0,
  status: 'ACTIVE',
  ...overrides,
});

/** Test-data builder: a session of our CPO just started, under tariff TARIFF1 (€0.25/kWh) unless told otherwise. */
export const aCpoSession = (overrides: Partial<NewCpoSession> = {}): SessionRecord =>
  startCpoSession({
    cpo: { countryCode: 'DE', partyId: 'ABC' },
    id: 'SESSION1',
    start: aStart(),
    token: { party: { countryCode: 'DE', partyId: 'EMS' }, uid: '012345678', type: 'RFID', contractId: 'DE-EMS-C12345678-X', connectionId: 'conn-emsp' },
    cdrLocation: aCdrLocation(),
    timeZone: 'Europe/Berlin',
    tariff: { id: 'TARIFF1', currency: 'EUR', json: JSON.stringify(aTariff()) },
    defaultCurrency: 'EUR',
    now: after(0),
    ...overrides,
  });

/** A charging period `minutes` after T0 with `kwh` of energy (tariff TARIFF1 unless told). */
export const aPeriodAt = (minutes: number, kwh = 1, tariffId: string | undefined = 'TARIFF1'): ChargingPeriod => ({
  start_date_time: after(minutes * 60).toISOString(),
  dimensions: [
    { type: 'ENERGY', volume: kwh },
    { type: 'TIME', volume: 0.25 },
  ],
  ...(tariffId ? { tariff_id: tariffId } : {}),
});
