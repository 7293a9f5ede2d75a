import { randomUUID } from 'node:crypto';
import { formatOcpiDateTime } from '@voltmesh/ocpi';
import { markProfileSet } from '../domain/active-profile.js';
import type { CommandRecord } from '../domain/command.js';
import { cancel, reservationKey, reserve } from '../domain/reservation.js';
import { sessionKey } from '../domain/session.js';
import type { ProfileWriter } from './profile-writer.js';
import type { ReservationWriter } from './reservation-writer.js';
import type { SessionClaims } from './session-claims.js';

export interface BookkeepingDeps {
  sessions: Pick<SessionClaims, 'claim'>;
  reservations: Pick<ReservationWriter, 'update'>;
  profiles: Pick<ProfileWriter, 'update'>;
  newId?: () => string;
}

/**
 * What an inbound command our charger executed changes in our own records: the session it
 * started (claimed for the eMSP until the CSMS reports it), the reservation it made or cancelled
 * (and with it the EVSE's status), the eMSP that set a charging profile (its later changes are
 * pushed to it). A stopped session ends when the CSMS reports its end
 * (ReportSessionEnded), not when the command completes.
 * Runs before the command's COMPLETED state is saved and is idempotent, so a crash in between
 * is repaired by the CSMS reporting again.
 */
export async function recordInboundOutcome(deps: BookkeepingDeps, command: CommandRecord, result: string, now: Date): Promise<void> {
  if (result !== 'ACCEPTED') return;
  switch (command.type) {
    case 'START_SESSION':
      await deps.sessions.claim(command.cpo, command.sessionId, { commandId: command.id, emsp: command.emsp, connectionId: command.connectionId, claimedAt: formatOcpiDateTime(now) });
      return;
    case 'STOP_SESSION':
      return;
    case 'RESERVE_NOW': {
      // The id the CSMS gave the charger, chosen when the command arrived.
      const newId = command.chargerReservationId || (deps.newId ?? randomUUID)();
      await deps.reservations.update(reservationKey(command.emsp, command.reservationId), (current) =>
        reserve(
          current,
          {
            newId,
            emspReservationId: command.reservationId,
            emsp: command.emsp,
            connectionId: command.connectionId,
            cpo: command.cpo,
            locationId: command.locationId,
            evseUid: command.evseUid,
            expiryDate: command.expiryDate,
            tokenUid: command.tokenUid,
            commandId: command.id,
          },
          now,
        ),
      );
      return;
    }
    case 'CANCEL_RESERVATION':
      await deps.reservations.update(reservationKey(command.emsp, command.reservationId), (current) =>
        // Only the eMSP (party and connection) that holds it may cancel it.
        current && current.connectionId === command.connectionId ? cancel(current, now) : { changed: false },
      );
      return;
    case 'SET_CHARGING_PROFILE': {
      const key = sessionKey(command.cpo, command.sessionId);
      const setter = { connectionId: command.connectionId, emsp: command.emsp, commandId: command.id, at: formatOcpiDateTime(now) };
      await deps.profiles.update(key, (current) => markProfileSet(current, { key, cpo: command.cpo, sessionId: command.sessionId, role: 'CPO' }, setter));
      return;
    }
    case 'UNLOCK_CONNECTOR':
    case 'GET_ACTIVE_CHARGING_PROFILE':
    case 'CLEAR_PROFILE':
      return;
  }
}
