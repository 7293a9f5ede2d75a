import { randomUUID } from 'node:crypto';
import type { OwnParty } from '@voltmesh/config';
import { invalidArgument } from '@voltmesh/errors';
import { commandTypeSchema, formatOcpiDateTime, type CommandResponse, parseJsonText } from '@voltmesh/ocpi';
import type { commandService } from '@voltmesh/proto';
import type { StoredCommand } from '../adapters/command-store.js';
import type { ReservationStore } from '../adapters/reservation-store.js';
import { partyKey, sameParty, type CommandRecord } from '../domain/command.js';
import { newCommandRecord } from '../domain/command-fields.js';
import { decideInbound, type InboundFacts } from '../domain/inbound-decision.js';
import { reservationKey } from '../domain/reservation.js';
import type { CommandWriter } from './command-writer.js';
import type { SessionClaims } from './session-claims.js';
import { ownParty, parseCommandObject, requiredParty, requiredText } from './request-fields.js';

export interface ReceiveDeps {
  writer: Pick<CommandWriter, 'create'>;
  sessions: Pick<SessionClaims, 'holder'>;
  reservations: Pick<ReservationStore, 'get'>;
  ownParties: readonly OwnParty[];
  now?: () => Date;
  newId?: () => string;
}

export interface Received {
  response: CommandResponse;
  stored: StoredCommand;
}

/**
 * A partner eMSP's command to our CPO, handed over by the gateway (which checked the caller, the
 * body, the token's party, the location and the response_url). Decided, stored durably and
 * announced before the answer goes back: our CSMS executes the ACCEPTED ones from
 * sessions.command.v1, and the dispatcher posts every result to the partner.
 */
export async function receivePartnerCommand(deps: ReceiveDeps, request: commandService.ReceivePartnerCommandRequest): Promise<Received> {
  const connectionId = requiredText(request.connectionId, 'connection_id');
  const type = commandTypeSchema.safeParse(request.type.toUpperCase());
  if (!type.success) throw invalidArgument(`type: must be one of ${commandTypeSchema.options.join(', ')}`);
  const object = parseCommandObject(type.data, parseJsonText(request.ocpiJson, 'ocpi_json'), 'ocpi_json');
  const emsp = requiredParty(request.emsp, 'emsp');
  // Unset means our first CPO party, as everywhere; the gateway names the one addressed.
  const cpo = ownParty(request.cpo, deps.ownParties, 'CPO', 'cpo');
  if (object.token && partyKey({ countryCode: object.token.country_code, partyId: object.token.party_id }) !== partyKey(emsp)) {
    throw invalidArgument(`ocpi_json: token.party_id: ${object.token.country_code}*${object.token.party_id} is not the sending eMSP ${partyKey(emsp)}`);
  }
  if (request.timeoutSeconds < 1) throw invalidArgument('timeout_seconds: must be at least 1');

  const now = (deps.now ?? (() => new Date()))();
  const record = newCommandRecord(
    { id: (deps.newId ?? randomUUID)(), direction: 'INBOUND', type: type.data, connectionId, cpo, emsp, state: 'ACCEPTED', at: formatOcpiDateTime(now) },
    object,
  );
  const facts = await factsAbout(deps, record, now, request.timeoutSeconds);
  const decision = decideInbound(record, facts);
  const stored = await deps.writer.create({
    ...record,
    ...chargerReservation(record, facts),
    state: decision.state,
    responseJson: JSON.stringify(decision.response),
    resultJson: decision.resultJson,
    deadline: decision.deadline,
  });
  return { response: decision.response, stored };
}

/**
 * The id the charger knows the reservation by: a new RESERVE_NOW gets the command's id (a UUID,
 * unique per charger), one that replaces the active reservation at the same location and a
 * CANCEL_RESERVATION get the held reservation's.
 */
function chargerReservation(command: CommandRecord, facts: InboundFacts & { heldReservationId?: string }): Pick<CommandRecord, 'chargerReservationId'> {
  if (command.type === 'RESERVE_NOW') {
    const replaces = facts.heldReservationId && facts.activeReservationLocation === command.locationId;
    return { chargerReservationId: replaces ? facts.heldReservationId : command.id };
  }
  if (command.type === 'CANCEL_RESERVATION' && facts.heldReservationId) return { chargerReservationId: facts.heldReservationId };
  return {};
}

async function factsAbout(deps: ReceiveDeps, command: CommandRecord, now: Date, timeoutSeconds: number): Promise<InboundFacts & { heldReservationId?: string }> {
  const facts: InboundFacts & { heldReservationId?: string } = { now, timeoutSeconds, sessionHeld: false, reservationHeld: false, activeReservationLocation: undefined };
  if (command.type === 'STOP_SESSION') {
    const holder = await deps.sessions.holder(command.cpo, command.sessionId);
    facts.sessionHeld = !!holder && sameParty(holder.emsp, command.emsp) && holder.connectionId === command.connectionId;
  }
  if (command.type === 'CANCEL_RESERVATION' || command.type === 'RESERVE_NOW') {
    const reservation = (await deps.reservations.get(reservationKey(command.emsp, command.reservationId)))?.reservation;
    const active = !!reservation && reservation.status === 'ACTIVE' && reservation.connectionId === command.connectionId && Date.parse(reservation.expiryDate) > now.getTime();
    facts.reservationHeld = active;
    facts.activeReservationLocation = active ? reservation.locationId : undefined;
    if (active) facts.heldReservationId = reservation.id;
  }
  return facts;
}
