import type { CommandRecord } from './command.js';

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
