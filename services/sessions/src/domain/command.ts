import type { CommandType } from '@voltmesh/ocpi';

/** An OCPI party, upper case. */
export interface Party {
  countryCode: string;
  partyId: string;
}

export type Direction = 'OUTBOUND' | 'INBOUND';

/** See command.proto for the state machine. */
export type CommandState = 'REQUESTED' | 'ACCEPTED' | 'REJECTED' | 'NOT_SUPPORTED' | 'UNKNOWN_SESSION' | 'COMPLETED' | 'TIMEOUT' | 'NOT_DELIVERED';

/**
 * One command as this service keeps it. The OCPI bodies stay the JSON we built or received
 * (what partners see byte for byte); the fields the service routes on are copied beside them.
 * Times are OCPI DateTimes in our emitted form, so they compare as strings.
 */
export interface CommandRecord {
  /** UUID, lower case; an outbound command's response_url ends with it. */
  id: string;
  direction: Direction;
  type: CommandType;
  /** The partner connection; empty for an outbound command until the dispatcher's first answer names it. */
  connectionId: string;
  cpo: Party;
  emsp: Party;
  ocpiJson: string;
  state: CommandState;
  responseJson: string;
  resultJson: string;
  requestedAt: string;
  /** When we stop waiting for the result; empty until the command is ACCEPTED. */
  deadline: string;
  updatedAt: string;
  sessionId: string;
  authorizationReference: string;
  locationId: string;
  evseUid: string;
  connectorId: string;
  /** The eMSP's reservation id (RESERVE_NOW, CANCEL_RESERVATION). */
  reservationId: string;
  /** Inbound RESERVE_NOW / CANCEL_RESERVATION: our id of the reservation, the one the charger knows. */
  chargerReservationId?: string;
  /** The token of START_SESSION / RESERVE_NOW. */
  tokenUid: string;
  tokenType: string;
  /** RESERVE_NOW: until when. */
  expiryDate: string;
}

/** States after which WatchCommand ends: nothing more is expected (a late result may still complete a TIMEOUT). */
export const FINAL_STATES: ReadonlySet<CommandState> = new Set(['COMPLETED', 'REJECTED', 'NOT_SUPPORTED', 'UNKNOWN_SESSION', 'NOT_DELIVERED', 'TIMEOUT']);

export const partyKey = (party: Party): string => `${party.countryCode}*${party.partyId}`.toUpperCase();

export const sameParty = (a: Party, b: Party): boolean => partyKey(a) === partyKey(b);

/** The CommandResult a command gets when nobody answered in time. */
export const TIMEOUT_RESULT_JSON = JSON.stringify({ result: 'TIMEOUT', message: [] });
