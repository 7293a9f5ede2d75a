import { notFound } from '@voltmesh/errors';
import { unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { commandService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandStore, StoredCommand } from '../adapters/command-store.js';
import type { ReservationStore } from '../adapters/reservation-store.js';
import { toProto } from '../application/command-proto.js';
import type { CommandWatchers } from '../application/command-watchers.js';
import { receivePartnerCommand, type ReceiveDeps } from '../application/receive-partner-command.js';
import { reportCommandResult, type ReportDeps } from '../application/report-command-result.js';
import { requiredText } from '../application/request-fields.js';
import { cancelReservation, reserveNow, startSession, stopSession, unlockConnector, type SendCommandDeps } from '../application/send-command.js';
import type { ReservationRecord } from '../domain/reservation.js';
import { watchCommandHandler } from './watch-command.js';

export interface CommandServiceDeps {
  store: Pick<CommandStore, 'get'>;
  reservations: Pick<ReservationStore, 'list'>;
  watchers: CommandWatchers;
  send: SendCommandDeps;
  receive: ReceiveDeps;
  report: ReportDeps;
  logger: Logger;
}

/** ListReservations returns at most this many (soonest expiry first); the proto has no paging yet. */
const MAX_RESERVATIONS = 1_000;

/** CommandService: the driver app (outbound), the gateway (inbound) and our CSMS (results). */
export function commandServiceBinding(deps: CommandServiceDeps): GrpcServiceBinding {
  const { logger } = deps;
  const command = (stored: StoredCommand) => ({ command: toProto(stored.command, stored.rev) });
  const implementation: commandService.CommandServiceServer = {
    startSession: unary(logger, async (request: commandService.StartSessionRequest) => command(await startSession(deps.send, request))),
    stopSession: unary(logger, async (request: commandService.StopSessionRequest) => command(await stopSession(deps.send, request))),
    reserveNow: unary(logger, async (request: commandService.ReserveNowRequest) => command(await reserveNow(deps.send, request))),
    cancelReservation: unary(logger, async (request: commandService.CancelReservationRequest) => command(await cancelReservation(deps.send, request))),
    unlockConnector: unary(logger, async (request: commandService.UnlockConnectorRequest) => command(await unlockConnector(deps.send, request))),
    getCommand: unary(logger, async (request: commandService.GetCommandRequest) => {
      const id = requiredText(request.id, 'id').toLowerCase();
      const stored = await deps.store.get(id);
      if (!stored) throw notFound(`unknown command ${id}`);
      return command(stored);
    }),
    watchCommand: watchCommandHandler(deps.store, deps.watchers, logger),
    receivePartnerCommand: unary(logger, async (request: commandService.ReceivePartnerCommandRequest) => {
      const received = await receivePartnerCommand(deps.receive, request);
      return { commandResponseJson: JSON.stringify(received.response), ...command(received.stored) };
    }),
    reportCommandResult: unary(logger, async (request: commandService.ReportCommandResultRequest) => {
      const result = await reportCommandResult(deps.report, request);
      return { ...command(result.stored), changed: result.changed };
    }),
    listReservations: unary(logger, async (request: commandService.ListReservationsRequest) => {
      const now = Date.now();
      const listed = await deps.reservations.list(request.activeOnly, MAX_RESERVATIONS);
      // The sweeper may not have expired one yet: active means ACTIVE and not past its expiry.
      const reservations = request.activeOnly ? listed.filter((reservation) => Date.parse(reservation.expiryDate) > now) : listed;
      return { reservations: reservations.map(toReservationProto) };
    }),
  };
  return { name: 'voltmesh.sessions.v1.CommandService', definition: commandService.CommandServiceService, implementation };
}

function toReservationProto(reservation: ReservationRecord): commandService.Reservation {
  return {
    id: reservation.id,
    emspReservationId: reservation.emspReservationId,
    emsp: reservation.emsp,
    connectionId: reservation.connectionId,
    cpo: reservation.cpo,
    locationId: reservation.locationId,
    evseUid: reservation.evseUid,
    expiryDate: reservation.expiryDate,
    status: reservation.status,
    tokenUid: reservation.tokenUid,
    commandId: reservation.commandId,
  };
}
