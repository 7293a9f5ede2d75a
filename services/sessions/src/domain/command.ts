import type { CommandType } from '@voltmesh/ocpi';

/** An OCPI party, upper case. */
export interface Party {
  countryCode: string;
  partyId: string;
}

export type Direction = 'OUTBOUND' | 'INBOUND';

/**
 * The command machinery carries two OCPI modules: Commands (§10, `CommandType`) and
 * ChargingProfiles (§11), whose requests are Commands of these three types
 * (charging_profile_service.proto): same store, state machine, deadlines and events.
 */
export const PROFILE_COMMAND_TYPES = ['SET_CHARGING_PROFILE', 'GET_ACTIVE_CHARGING_PROFILE', 'CLEAR_PROFILE'] as const;
export type ProfileCommandType = (typeof PROFILE_COMMAND_TYPES)[number];
export type AnyCommandType = CommandType | ProfileCommandType;

export const isProfileCommand = (type: string): type is ProfileCommandType => (PROFILE_COMMAND_TYPES as readonly string[]).includes(type);

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
  type: AnyCommandType;
  /** The partner connection; for an outbound command empty until the dispatcher's first answer names it, except a charging-profile request (the connection that pushed its session). */
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
  /** STOP_SESSION, the session a START_SESSION led to; the charging-profile types: the session they address. */
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
