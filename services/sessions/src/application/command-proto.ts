import { commands } from '@voltmesh/proto';
import { FINAL_STATES, type CommandRecord, type CommandState } from '../domain/command.js';

const STATES: Record<CommandState, commands.CommandState> = {
  REQUESTED: commands.CommandState.COMMAND_STATE_REQUESTED,
  ACCEPTED: commands.CommandState.COMMAND_STATE_ACCEPTED,
  REJECTED: commands.CommandState.COMMAND_STATE_REJECTED,
  NOT_SUPPORTED: commands.CommandState.COMMAND_STATE_NOT_SUPPORTED,
  UNKNOWN_SESSION: commands.CommandState.COMMAND_STATE_UNKNOWN_SESSION,
  COMPLETED: commands.CommandState.COMMAND_STATE_COMPLETED,
  TIMEOUT: commands.CommandState.COMMAND_STATE_TIMEOUT,
  NOT_DELIVERED: commands.CommandState.COMMAND_STATE_NOT_DELIVERED,
};

/** The contract's Command: the record at one revision. */
export function toProto(command: CommandRecord, rev: number): commands.Command {
  return {
    id: command.id,
    direction: command.direction === 'OUTBOUND' ? commands.CommandDirection.COMMAND_DIRECTION_OUTBOUND : commands.CommandDirection.COMMAND_DIRECTION_INBOUND,
    type: command.type,
    connectionId: command.connectionId,
    cpo: command.cpo,
    emsp: command.emsp,
    ocpiJson: command.ocpiJson,
    state: STATES[command.state],
    responseJson: command.responseJson,
    resultJson: command.resultJson,
    requestedAt: command.requestedAt,
    deadline: command.deadline,
    updatedAt: command.updatedAt,
    revision: String(rev),
    sessionId: command.sessionId,
    authorizationReference: command.authorizationReference,
    locationId: command.locationId,
    evseUid: command.evseUid,
    connectorId: command.connectorId,
    reservationId: command.reservationId,
    chargerReservationId: command.chargerReservationId ?? '',
  };
}

/** WatchCommand ends at these. */
export const FINAL_PROTO_STATES: ReadonlySet<commands.CommandState> = new Set([...FINAL_STATES].map((state) => STATES[state]));
