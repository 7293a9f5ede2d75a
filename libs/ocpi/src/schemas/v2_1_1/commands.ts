import { z } from 'zod';
import { optional } from '../common.js';
import { dateTime211, id211, url211 } from './common.js';
import { tokenSchema } from './tokens.js';

/** OCPI 2.1.1 Commands module (`mod_commands.md`). */

/** No CANCEL_RESERVATION in 2.1.1. */
export const COMMAND_TYPES = ['RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'] as const;
export const commandTypeSchema = z.enum(COMMAND_TYPES);

/** Both the CPO's answer and the Charge Point's result (posted to response_url) use this enum. */
export const COMMAND_RESPONSE_TYPES = ['NOT_SUPPORTED', 'REJECTED', 'ACCEPTED', 'TIMEOUT', 'UNKNOWN_SESSION'] as const;
export const commandResponseTypeSchema = z.enum(COMMAND_RESPONSE_TYPES);

/**
 * CommandResponse `{ result }`: the data of the CPO's answer to a command POST and, again, the
 * body the CPO POSTs to `response_url` with the Charge Point's result (2.2 split the latter off
 * as CommandResult). No `timeout`, no `message`.
 */
export const commandResponseSchema = z.object({ result: commandResponseTypeSchema });

export const reserveNowSchema = z.object({
  response_url: url211,
  token: tokenSchema,
  expiry_date: dateTime211,
  /** An int in 2.1.1 (a CiString(36) in 2.2). */
  reservation_id: z.number().int('must be an integer').refine(Number.isSafeInteger, 'must be a safe integer'),
  location_id: id211(39),
  evse_uid: optional(id211(39)),
});

/** No connector_id and no authorization_reference in 2.1.1. */
export const startSessionSchema = z.object({
  response_url: url211,
  token: tokenSchema,
  location_id: id211(39),
  evse_uid: optional(id211(39)),
});

export const stopSessionSchema = z.object({
  response_url: url211,
  session_id: id211(36),
});

export const unlockConnectorSchema = z.object({
  response_url: url211,
  location_id: id211(39),
  evse_uid: id211(39),
  connector_id: id211(36),
});

/** The body schema of each command, by the CommandType in the URL. */
export const commandSchemas = {
  RESERVE_NOW: reserveNowSchema,
  START_SESSION: startSessionSchema,
  STOP_SESSION: stopSessionSchema,
  UNLOCK_CONNECTOR: unlockConnectorSchema,
} as const;

export type CommandType = z.output<typeof commandTypeSchema>;
export type CommandResponseType = z.output<typeof commandResponseTypeSchema>;
export type CommandResponse = z.output<typeof commandResponseSchema>;
export type ReserveNow = z.output<typeof reserveNowSchema>;
export type StartSession = z.output<typeof startSessionSchema>;
export type StopSession = z.output<typeof stopSessionSchema>;
export type UnlockConnector = z.output<typeof unlockConnectorSchema>;
/** The body of each command, by CommandType. */
export type CommandBodies = { [Type in CommandType]: z.output<(typeof commandSchemas)[Type]> };
