import type { CommandResponse, CommandResult, CommandType, StartSession } from '@voltmesh/ocpi';
import { cancelReservationSchema, reserveNowSchema, stopSessionSchema, unlockConnectorSchema } from '@voltmesh/ocpi';
import type * as v211 from '@voltmesh/ocpi/v2_1_1';
import type { z } from 'zod';
import { LossLog, NotExpressible, type Mapped } from '../mapped.js';
import { foldId211 } from './locations.js';
import { nestedTokenFrom211, nestedTokenTo211, type TokenOwner } from './tokens.js';

/**
 * Commands between OCPI 2.1.1 (wire) and 2.2.1 (our model): the command bodies, the CPO's
 * synchronous CommandResponse, and the asynchronous result, which 2.1.1 posts to `response_url`
 * as a CommandResponse again where 2.2.1 posts a CommandResult.
 */

type StopSession = z.output<typeof stopSessionSchema>;
type ReserveNow = z.output<typeof reserveNowSchema>;
type CancelReservation = z.output<typeof cancelReservationSchema>;
type UnlockConnector = z.output<typeof unlockConnectorSchema>;

/** The 2.2.1 body of each command, by CommandType. */
export interface CommandBodies {
  START_SESSION: StartSession;
  STOP_SESSION: StopSession;
  RESERVE_NOW: ReserveNow;
  CANCEL_RESERVATION: CancelReservation;
  UNLOCK_CONNECTOR: UnlockConnector;
}
export type CommandBody = CommandBodies[CommandType];
export type CommandBody211 = v211.CommandBodies[v211.CommandType];

/** What a 2.1.1 command needs from the connection: the eMSP that owns the token in it. */
export interface CommandContext {
  owner: TokenOwner;
}

/**
 * 2.1.1 `reservation_id` is an int; ours is a CiString(36). Only an id that is the decimal form
 * of a safe integer can be sent: another number would name another reservation.
 */
export function reservationIdTo211(id: string): number {
  const number = Number(id);
  if (!/^-?\d+$/.test(id) || !Number.isSafeInteger(number) || String(number) !== id) {
    throw new NotExpressible([{ field: 'reservation_id', reason: `${id} is not an integer; 2.1.1 reservation ids are ints` }]);
  }
  return number;
}

function startSessionTo211(body: StartSession, log: LossLog): v211.StartSession {
  const token = nestedTokenTo211(body.token, 'token', log);
  if (body.connector_id !== undefined) log.lose('connector_id', 'no connector_id in a 2.1.1 StartSession; the Charge Point picks the connector of the EVSE');
  if (body.authorization_reference !== undefined) log.lose('authorization_reference', 'no authorization_reference in 2.1.1; the Session will not carry it');
  return { response_url: body.response_url, token, location_id: body.location_id, evse_uid: body.evse_uid };
}

function reserveNowTo211(body: ReserveNow, log: LossLog): v211.ReserveNow {
  const token = nestedTokenTo211(body.token, 'token', log);
  if (body.authorization_reference !== undefined) log.lose('authorization_reference', 'no authorization_reference in 2.1.1; the Session will not carry it');
  return {
    response_url: body.response_url,
    token,
    expiry_date: body.expiry_date,
    reservation_id: reservationIdTo211(body.reservation_id),
    location_id: body.location_id,
    evse_uid: body.evse_uid,
  };
}

/**
 * A command for a 2.1.1 CPO. CANCEL_RESERVATION does not exist in 2.1.1 (NotExpressible): the
 * reservation simply runs until its expiry_date.
 */
export function commandTo211(type: 'START_SESSION', body: StartSession): Mapped<v211.StartSession>;
export function commandTo211(type: 'STOP_SESSION', body: StopSession): Mapped<v211.StopSession>;
export function commandTo211(type: 'RESERVE_NOW', body: ReserveNow): Mapped<v211.ReserveNow>;
export function commandTo211(type: 'UNLOCK_CONNECTOR', body: UnlockConnector): Mapped<v211.UnlockConnector>;
export function commandTo211(type: 'CANCEL_RESERVATION', body: CancelReservation): never;
export function commandTo211(type: CommandType, body: CommandBody): Mapped<CommandBody211>;
export function commandTo211(type: CommandType, body: CommandBody): Mapped<CommandBody211> {
  const log = new LossLog();
  switch (type) {
    case 'START_SESSION':
      return log.mapped(startSessionTo211(body as StartSession, log));
    case 'STOP_SESSION': {
      const stop = body as StopSession;
      return log.mapped({ response_url: stop.response_url, session_id: stop.session_id });
    }
    case 'RESERVE_NOW':
      return log.mapped(reserveNowTo211(body as ReserveNow, log));
    case 'UNLOCK_CONNECTOR': {
      const unlock = body as UnlockConnector;
      return log.mapped({ response_url: unlock.response_url, location_id: unlock.location_id, evse_uid: unlock.evse_uid, connector_id: unlock.connector_id });
    }
    case 'CANCEL_RESERVATION':
      throw new NotExpressible([{ field: 'CANCEL_RESERVATION', reason: 'no CANCEL_RESERVATION command in 2.1.1' }]);
  }
}

/**
 * A 2.1.1 eMSP's command in our model. `response_url` is kept as sent: whoever posts the result
 * there must post a 2.1.1 CommandResponse (commandResultTo211).
 */
export function commandFrom211(type: 'START_SESSION', body: v211.StartSession, context: CommandContext): Mapped<StartSession>;
export function commandFrom211(type: 'STOP_SESSION', body: v211.StopSession, context: CommandContext): Mapped<StopSession>;
export function commandFrom211(type: 'RESERVE_NOW', body: v211.ReserveNow, context: CommandContext): Mapped<ReserveNow>;
export function commandFrom211(type: 'UNLOCK_CONNECTOR', body: v211.UnlockConnector, context: CommandContext): Mapped<UnlockConnector>;
export function commandFrom211(type: v211.CommandType, body: CommandBody211, context: CommandContext): Mapped<CommandBody>;
export function commandFrom211(type: v211.CommandType, body: CommandBody211, context: CommandContext): Mapped<CommandBody> {
  const log = new LossLog();
  switch (type) {
    case 'START_SESSION': {
      const start = body as v211.StartSession;
      return log.mapped({
        response_url: start.response_url,
        token: nestedTokenFrom211(start.token, context.owner, 'token', log),
        location_id: foldId211(start.location_id, 36, 'location_id', log),
        evse_uid: start.evse_uid === undefined ? undefined : foldId211(start.evse_uid, 36, 'evse_uid', log),
      });
    }
    case 'STOP_SESSION': {
      const stop = body as v211.StopSession;
      return log.mapped({ response_url: stop.response_url, session_id: foldId211(stop.session_id, 36, 'session_id', log) });
    }
    case 'RESERVE_NOW': {
      const reserve = body as v211.ReserveNow;
      return log.mapped({
        response_url: reserve.response_url,
        token: nestedTokenFrom211(reserve.token, context.owner, 'token', log),
        expiry_date: reserve.expiry_date,
        reservation_id: String(reserve.reservation_id),
        location_id: foldId211(reserve.location_id, 36, 'location_id', log),
        evse_uid: reserve.evse_uid === undefined ? undefined : foldId211(reserve.evse_uid, 36, 'evse_uid', log),
      });
    }
    case 'UNLOCK_CONNECTOR': {
      const unlock = body as v211.UnlockConnector;
      return log.mapped({
        response_url: unlock.response_url,
        location_id: foldId211(unlock.location_id, 36, 'location_id', log),
        evse_uid: foldId211(unlock.evse_uid, 36, 'evse_uid', log),
        connector_id: foldId211(unlock.connector_id, 36, 'connector_id', log),
      });
    }
  }
}

function messageLost(message: CommandResponse['message'], log: LossLog): void {
  message.forEach((_, index) => log.lose(`message[${index}]`, 'no message in a 2.1.1 CommandResponse'));
}

/** The CPO's synchronous answer for a 2.1.1 eMSP: same result values, no timeout, no message. */
export function commandResponseTo211(response: CommandResponse): Mapped<v211.CommandResponse> {
  const log = new LossLog();
  log.lose('timeout', `no timeout in 2.1.1 (${response.timeout} s not sent)`);
  messageLost(response.message, log);
  return log.mapped({ result: response.result });
}

/**
 * A 2.1.1 CPO's synchronous answer in our model. `timeout` (required in 2.2.1) is how long we
 * wait for the result, from our configuration. A synchronous TIMEOUT (no 2.2.1 value) is
 * REJECTED: the command will not be carried out.
 */
export function commandResponseFrom211(response: v211.CommandResponse, timeout: number): Mapped<CommandResponse> {
  const log = new LossLog();
  let result: CommandResponse['result'];
  if (response.result === 'TIMEOUT') {
    result = 'REJECTED';
    log.lose('result', 'TIMEOUT is not a 2.2.1 CommandResponseType, read as REJECTED');
  } else {
    result = response.result;
  }
  return log.mapped({ result, timeout, message: [] });
}

type ResultType = CommandResult['result'];

const RESULT_TO_211: Record<ResultType, v211.CommandResponseType> = {
  ACCEPTED: 'ACCEPTED',
  REJECTED: 'REJECTED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  TIMEOUT: 'TIMEOUT',
  FAILED: 'REJECTED',
  EVSE_OCCUPIED: 'REJECTED',
  EVSE_INOPERATIVE: 'REJECTED',
  UNKNOWN_RESERVATION: 'REJECTED',
  CANCELED_RESERVATION: 'REJECTED',
};

/**
 * The Charge Point's result, posted to a 2.1.1 eMSP's response_url as a CommandResponse. The
 * 2.2.1 reasons without a 2.1.1 value all read as REJECTED (the command did not happen, or a
 * reservation no longer holds), each a loss.
 */
export function commandResultTo211(result: CommandResult): Mapped<v211.CommandResponse> {
  const log = new LossLog();
  const mapped = RESULT_TO_211[result.result];
  if (mapped !== result.result) log.lose('result', `${result.result} is not a 2.1.1 CommandResponseType, sent as ${mapped}`);
  messageLost(result.message, log);
  return log.mapped({ result: mapped });
}

const RESULT_FROM_211: Record<v211.CommandResponseType, ResultType> = {
  ACCEPTED: 'ACCEPTED',
  REJECTED: 'REJECTED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  TIMEOUT: 'TIMEOUT',
  UNKNOWN_SESSION: 'REJECTED',
};

/** A 2.1.1 CPO's result (the CommandResponse posted to our response_url) as a CommandResult. */
export function commandResultFrom211(response: v211.CommandResponse): Mapped<CommandResult> {
  const log = new LossLog();
  const mapped = RESULT_FROM_211[response.result];
  if (mapped !== response.result) log.lose('result', `${response.result} is not a 2.2.1 CommandResultType, read as ${mapped}`);
  return log.mapped({ result: mapped, message: [] });
}
