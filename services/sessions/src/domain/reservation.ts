import { formatOcpiDateTime } from '@voltmesh/ocpi';
import { partyKey, type Party } from './command.js';

export type ReservationStatus = 'ACTIVE' | 'CANCELLED' | 'EXPIRED' | 'USED';

/** An EVSE status locations has not confirmed yet (it is retried until it has). */
export interface PendingEvseStatus {
  cpo: Party;
  locationId: string;
  evseUid: string;
  status: 'RESERVED' | 'AVAILABLE';
  /** When the change happened: a late retry must not overwrite a newer status the charger reported. */
  at: string;
}

/** A reservation our CPO holds for a partner eMSP, one per eMSP reservation id. */
export interface ReservationRecord {
  /** Ours (UUID), what the charger knows; never the eMSP's id, so one eMSP cannot touch another's. */
  id: string;
  emspReservationId: string;
  emsp: Party;
  connectionId: string;
  cpo: Party;
  locationId: string;
  /** Empty when neither the command nor the charger named one. */
  evseUid: string;
  expiryDate: string;
  status: ReservationStatus;
  tokenUid: string;
  /** The RESERVE_NOW that made it. */
  commandId: string;
  updatedAt: string;
  pendingEvseStatuses: PendingEvseStatus[];
  /** Failed attempts to report the pending statuses, and when to try again. */
  evseAttempts: number;
  evseRetryAt: string;
}

export type ReservationChange = { changed: false } | { changed: true; reservation: ReservationRecord };

const unchanged: ReservationChange = { changed: false };

/** The reservation's identity: the eMSP party and its reservation id (ids are CiStrings). */
export const reservationKey = (emsp: Party, emspReservationId: string): string => `${partyKey(emsp)}*${emspReservationId}`.toUpperCase();

export interface Reserved {
  /** Ours for a new reservation (ignored when this replaces an active one at the same location). */
  newId: string;
  emspReservationId: string;
  emsp: Party;
  connectionId: string;
  cpo: Party;
  locationId: string;
  evseUid: string;
  expiryDate: string;
  tokenUid: string;
  commandId: string;
}

/**
 * A RESERVE_NOW our charger accepted. The same eMSP id at the same location replaces the active
 * reservation (keeping our id, as the charger replaces it); the EVSE it held is released when
 * the replacement reserves another one.
 */
export function reserve(current: ReservationRecord | undefined, reserved: Reserved, now: Date): ReservationChange {
  if (current?.commandId === reserved.commandId) return unchanged;
  const at = formatOcpiDateTime(now);
  const replaces = current?.status === 'ACTIVE' && current.locationId === reserved.locationId;
  let pending = current?.pendingEvseStatuses ?? [];
  if (current?.status === 'ACTIVE' && current.evseUid && (current.evseUid !== reserved.evseUid || current.locationId !== reserved.locationId)) {
    pending = withPending(pending, { cpo: current.cpo, locationId: current.locationId, evseUid: current.evseUid, status: 'AVAILABLE', at });
  }
  if (reserved.evseUid) pending = withPending(pending, { cpo: reserved.cpo, locationId: reserved.locationId, evseUid: reserved.evseUid, status: 'RESERVED', at });
  const { newId, ...fields } = reserved;
  return {
    changed: true,
    reservation: { ...fields, id: replaces ? current.id : newId, status: 'ACTIVE', updatedAt: at, pendingEvseStatuses: pending, evseAttempts: 0, evseRetryAt: '' },
  };
}

/** A CANCEL_RESERVATION our charger accepted: the EVSE is free again. */
export function cancel(current: ReservationRecord | undefined, now: Date): ReservationChange {
  return end(current, 'CANCELLED', now, formatOcpiDateTime(now));
}

/** A reservation past its expiry_date ends; its EVSE is free from that moment. */
export function expire(current: ReservationRecord | undefined, now: Date): ReservationChange {
  if (!current || Date.parse(current.expiryDate) > now.getTime()) return unchanged;
  return end(current, 'EXPIRED', now, current.expiryDate);
}

function end(current: ReservationRecord | undefined, status: ReservationStatus, now: Date, releasedAt: string): ReservationChange {
  if (current?.status !== 'ACTIVE') return unchanged;
  const pending = current.evseUid
    ? withPending(current.pendingEvseStatuses, { cpo: current.cpo, locationId: current.locationId, evseUid: current.evseUid, status: 'AVAILABLE', at: releasedAt })
    : current.pendingEvseStatuses;
  return { changed: true, reservation: { ...current, status, updatedAt: formatOcpiDateTime(now), pendingEvseStatuses: pending, evseAttempts: 0, evseRetryAt: '' } };
}

/**
 * After an attempt to report the pending statuses: the ones locations took (or refused for
 * good) are dropped; if any is left, the next attempt waits longer each time (capped).
 */
export function evseStatusesReported(current: ReservationRecord, done: readonly PendingEvseStatus[], now: Date, backoff: { baseMs: number; maxMs: number }): ReservationChange {
  const left = current.pendingEvseStatuses.filter((pending) => !done.some((item) => samePending(item, pending)));
  if (left.length === 0) {
    return { changed: true, reservation: { ...current, pendingEvseStatuses: [], evseAttempts: 0, evseRetryAt: '' } };
  }
  const attempts = current.evseAttempts + 1;
  const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempts - 1, 16));
  return { changed: true, reservation: { ...current, pendingEvseStatuses: left, evseAttempts: attempts, evseRetryAt: formatOcpiDateTime(new Date(now.getTime() + delay)) } };
}

/** When the sweeper must look at the reservation next: its expiry, or the next EVSE status attempt. */
export function reservationDueAt(reservation: ReservationRecord): Date | undefined {
  const times: number[] = [];
  if (reservation.status === 'ACTIVE') times.push(Date.parse(reservation.expiryDate));
  if (reservation.pendingEvseStatuses.length > 0) times.push(reservation.evseRetryAt ? Date.parse(reservation.evseRetryAt) : 0);
  return times.length > 0 ? new Date(Math.min(...times)) : undefined;
}

/** The latest status of one EVSE wins: an older pending one for it is dropped unsent. */
function withPending(pending: readonly PendingEvseStatus[], next: PendingEvseStatus): PendingEvseStatus[] {
  return [...pending.filter((item) => !sameEvse(item, next)), next];
}

const sameEvse = (a: PendingEvseStatus, b: PendingEvseStatus): boolean =>
  partyKey(a.cpo) === partyKey(b.cpo) && a.locationId === b.locationId && a.evseUid === b.evseUid;

const samePending = (a: PendingEvseStatus, b: PendingEvseStatus): boolean => sameEvse(a, b) && a.status === b.status && a.at === b.at;
