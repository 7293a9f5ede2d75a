import { formatOcpiDateTime, type CommandResponse } from '@voltmesh/ocpi';
import type { CommandRecord, CommandState } from './command.js';

/** What the service looked up about an inbound command before answering it. */
export interface InboundFacts {
  now: Date;
  /** Seconds we announce in CommandResponse.timeout. */
  timeoutSeconds: number;
  /** STOP_SESSION: the session is ours and this eMSP's (same party and connection). */
  sessionHeld: boolean;
  /** CANCEL_RESERVATION: this eMSP holds an active reservation with that id. */
  reservationHeld: boolean;
  /** RESERVE_NOW: the location this eMSP's reservation id is active at now, if any. */
  activeReservationLocation: string | undefined;
}

export interface InboundDecision {
  state: CommandState;
  response: CommandResponse;
  /** Set when the command is decided without our CSMS (UNKNOWN_RESERVATION). */
  resultJson: string;
  /** When the sweeper times it out; empty when the command is decided already. */
  deadline: string;
}

/**
 * How our CPO answers a partner eMSP's command (the gateway checked everything it can see
 * without our data): ACCEPTED for the CSMS to execute, except what this service knows cannot
 * work. A CANCEL_RESERVATION of a reservation the eMSP does not hold is ACCEPTED and completed
 * at once with UNKNOWN_RESERVATION, as the CPO's charger would answer it, without bothering it.
 */
export function decideInbound(command: Pick<CommandRecord, 'type' | 'expiryDate' | 'locationId' | 'reservationId'>, facts: InboundFacts): InboundDecision {
  const { timeoutSeconds: timeout } = facts;
  const decided = (state: CommandState, result: CommandResponse['result'], text?: string, resultJson = ''): InboundDecision => ({
    state,
    response: { result, timeout, message: text ? [{ language: 'en', text }] : [] },
    resultJson,
    deadline: '',
  });
  switch (command.type) {
    case 'STOP_SESSION':
      if (!facts.sessionHeld) return decided('UNKNOWN_SESSION', 'UNKNOWN_SESSION');
      break;
    case 'CANCEL_RESERVATION':
      if (!facts.reservationHeld) return decided('COMPLETED', 'ACCEPTED', undefined, JSON.stringify({ result: 'UNKNOWN_RESERVATION', message: [] }));
      break;
    case 'RESERVE_NOW':
      if (Date.parse(command.expiryDate) <= facts.now.getTime()) return decided('REJECTED', 'REJECTED', `expiry_date ${command.expiryDate} is in the past`);
      // Same id + same location replaces a reservation; the same id elsewhere would silently move it.
      if (facts.activeReservationLocation !== undefined && facts.activeReservationLocation !== command.locationId) {
        return decided('REJECTED', 'REJECTED', `reservation_id ${command.reservationId} is active at another location; cancel it first`);
      }
      break;
    case 'START_SESSION':
    case 'UNLOCK_CONNECTOR':
      break;
    case 'SET_CHARGING_PROFILE':
    case 'GET_ACTIVE_CHARGING_PROFILE':
    case 'CLEAR_PROFILE':
      // Charging-profile requests have their own rules (decideProfileRequest); none arrive here.
      break;
  }
  return {
    state: 'ACCEPTED',
    response: { result: 'ACCEPTED', timeout, message: [] },
    resultJson: '',
    deadline: formatOcpiDateTime(new Date(facts.now.getTime() + timeout * 1000)),
  };
}
