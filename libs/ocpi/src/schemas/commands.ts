import { z } from 'zod';
import { ocpiDateTime } from '../datetime.js';
import { ciString, ocpiUrl, optional } from './common.js';
import { tokenSchema } from './tokens.js';
import { displayTextSchema, list, objectId } from './types.js';

/** OCPI 2.2.1 §10 (Commands): what an eMSP POSTs to a CPO and what comes back. */
export const commandTypeSchema = z.enum(['CANCEL_RESERVATION', 'RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR']);
export const commandResponseTypeSchema = z.enum(['NOT_SUPPORTED', 'REJECTED', 'ACCEPTED', 'UNKNOWN_SESSION']);
export const commandResultTypeSchema = z.enum([
  'ACCEPTED',
  'CANCELED_RESERVATION',
  'EVSE_OCCUPIED',
  'EVSE_INOPERATIVE',
  'FAILED',
  'NOT_SUPPORTED',
  'REJECTED',
  'TIMEOUT',
  'UNKNOWN_RESERVATION',
]);

export const startSessionSchema = z
  .object({
    response_url: ocpiUrl,
    token: tokenSchema,
    location_id: objectId,
    evse_uid: optional(objectId),
    connector_id: optional(objectId),
    authorization_reference: optional(ciString(36)),
  })
  .refine((command) => !command.connector_id || command.evse_uid, { message: 'evse_uid is required with connector_id', path: ['evse_uid'] });

export const stopSessionSchema = z.object({ response_url: ocpiUrl, session_id: objectId });

export const reserveNowSchema = z.object({
  response_url: ocpiUrl,
  token: tokenSchema,
  expiry_date: ocpiDateTime,
  reservation_id: objectId,
  location_id: objectId,
  evse_uid: optional(objectId),
  authorization_reference: optional(ciString(36)),
});

export const cancelReservationSchema = z.object({ response_url: ocpiUrl, reservation_id: objectId });

export const unlockConnectorSchema = z.object({ response_url: ocpiUrl, location_id: objectId, evse_uid: objectId, connector_id: objectId });

/** The body schema of each command, by the CommandType in the URL. */
export const commandSchemas = {
  START_SESSION: startSessionSchema,
  STOP_SESSION: stopSessionSchema,
  RESERVE_NOW: reserveNowSchema,
  CANCEL_RESERVATION: cancelReservationSchema,
  UNLOCK_CONNECTOR: unlockConnectorSchema,
} as const;

export const commandResponseSchema = z.object({
  result: commandResponseTypeSchema,
  timeout: z.number().int().min(0),
  message: list(displayTextSchema),
});

export const commandResultSchema = z.object({
  result: commandResultTypeSchema,
  message: list(displayTextSchema),
});

export type CommandType = z.output<typeof commandTypeSchema>;
export type StartSession = z.output<typeof startSessionSchema>;
export type CommandResponse = z.output<typeof commandResponseSchema>;
export type CommandResult = z.output<typeof commandResultSchema>;
