import { randomUUID } from 'node:crypto';
import type { OwnParty } from '@voltmesh/config';
import { invalidArgument } from '@voltmesh/errors';
import { formatOcpiDateTime, joinUrl, parseOcpiDateTime, type CommandType, type Token } from '@voltmesh/ocpi';
import type { commandService } from '@voltmesh/proto';
import type { StoredCommand } from '../adapters/command-store.js';
import type { Party } from '../domain/command.js';
import { newCommandRecord } from '../domain/command-fields.js';
import type { CommandWriter } from './command-writer.js';
import { ownParty, parseCommandObject, requiredParty, requiredText, tokenType } from './request-fields.js';

export interface SendCommandDeps {
  writer: Pick<CommandWriter, 'create'>;
  tokens: { getOwnValidToken(party: Party, uid: string, type: string): Promise<Token> };
  ownParties: readonly OwnParty[];
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  now?: () => Date;
  newId?: () => string;
}

/** What one outbound command needs beyond the common parts. */
interface Outbound {
  type: CommandType;
  cpo: Party;
  emsp: Party;
  /** The OCPI object without response_url (and authorization_reference, added for the types that carry one). */
  object: Record<string, unknown>;
}

/**
 * Our driver service (eMSP) commands a partner CPO: the OCPI object is built, validated with
 * its schema, stored as REQUESTED and announced; the gateway's dispatcher POSTs it and reports
 * the CPO's answer on gateway.partner-command.v1. The command id ends the response_url, and
 * START_SESSION / RESERVE_NOW carry it as authorization_reference (a UUID fits CiString(36)),
 * so the partner session that echoes it finds the command by `_id`.
 */
async function send(deps: SendCommandDeps, outbound: Outbound): Promise<StoredCommand> {
  const id = (deps.newId ?? randomUUID)();
  const at = formatOcpiDateTime((deps.now ?? (() => new Date()))());
  const carriesReference = outbound.type === 'START_SESSION' || outbound.type === 'RESERVE_NOW';
  const body = {
    response_url: joinUrl(deps.publicUrl, 'ocpi', '2.2.1', 'emsp', 'commands', outbound.type, id),
    ...outbound.object,
    ...(carriesReference ? { authorization_reference: id } : {}),
  };
  const object = parseCommandObject(outbound.type, body);
  const record = newCommandRecord({ id, direction: 'OUTBOUND', type: outbound.type, connectionId: '', cpo: outbound.cpo, emsp: outbound.emsp, state: 'REQUESTED', at }, object);
  return deps.writer.create(record);
}

/** The driver's token: one of ours, valid, from the authorization service. */
async function driverToken(deps: SendCommandDeps, request: commandService.DriverToken | undefined): Promise<Token> {
  if (!request) throw invalidArgument('token: required');
  const party = ownParty(request.party, deps.ownParties, 'EMSP', 'token.party');
  return deps.tokens.getOwnValidToken(party, requiredText(request.uid, 'token.uid'), tokenType(request.type, 'token.type'));
}

const optionalText = (value: string): string | undefined => value || undefined;

export async function startSession(deps: SendCommandDeps, request: commandService.StartSessionRequest): Promise<StoredCommand> {
  const cpo = requiredParty(request.cpo, 'cpo');
  const token = await driverToken(deps, request.token);
  return send(deps, {
    type: 'START_SESSION',
    cpo,
    emsp: { countryCode: token.country_code, partyId: token.party_id },
    object: { token, location_id: requiredText(request.locationId, 'location_id'), evse_uid: optionalText(request.evseUid), connector_id: optionalText(request.connectorId) },
  });
}

export async function stopSession(deps: SendCommandDeps, request: commandService.StopSessionRequest): Promise<StoredCommand> {
  const cpo = requiredParty(request.cpo, 'cpo');
  const emsp = ownParty(request.emsp, deps.ownParties, 'EMSP', 'emsp');
  return send(deps, { type: 'STOP_SESSION', cpo, emsp, object: { session_id: requiredText(request.sessionId, 'session_id') } });
}

export async function reserveNow(deps: SendCommandDeps, request: commandService.ReserveNowRequest): Promise<StoredCommand> {
  const cpo = requiredParty(request.cpo, 'cpo');
  const expiry = parseOcpiDateTime(requiredText(request.expiryDate, 'expiry_date'));
  if (!expiry) throw invalidArgument('expiry_date: must be an RFC 3339 UTC date-time, e.g. 2026-01-01T12:00:00Z');
  if (expiry.getTime() <= (deps.now ?? (() => new Date()))().getTime()) throw invalidArgument('expiry_date: must be in the future');
  const token = await driverToken(deps, request.token);
  return send(deps, {
    type: 'RESERVE_NOW',
    cpo,
    emsp: { countryCode: token.country_code, partyId: token.party_id },
    object: {
      token,
      expiry_date: formatOcpiDateTime(expiry),
      reservation_id: request.reservationId || randomUUID(),
      location_id: requiredText(request.locationId, 'location_id'),
      evse_uid: optionalText(request.evseUid),
    },
  });
}

export async function cancelReservation(deps: SendCommandDeps, request: commandService.CancelReservationRequest): Promise<StoredCommand> {
  const cpo = requiredParty(request.cpo, 'cpo');
  const emsp = ownParty(request.emsp, deps.ownParties, 'EMSP', 'emsp');
  return send(deps, { type: 'CANCEL_RESERVATION', cpo, emsp, object: { reservation_id: requiredText(request.reservationId, 'reservation_id') } });
}

export async function unlockConnector(deps: SendCommandDeps, request: commandService.UnlockConnectorRequest): Promise<StoredCommand> {
  const cpo = requiredParty(request.cpo, 'cpo');
  const emsp = ownParty(request.emsp, deps.ownParties, 'EMSP', 'emsp');
  return send(deps, {
    type: 'UNLOCK_CONNECTOR',
    cpo,
    emsp,
    object: {
      location_id: requiredText(request.locationId, 'location_id'),
      evse_uid: requiredText(request.evseUid, 'evse_uid'),
      connector_id: requiredText(request.connectorId, 'connector_id'),
    },
  });
}
