import { toAppError, unavailable } from '@voltmesh/errors';
import { KeyedLock } from '@voltmesh/mongo';
import type { Logger } from '@voltmesh/telemetry';
import type { DueEntry, DueList } from '../adapters/due-list.js';
import type { ReservationStore, StoredReservation } from '../adapters/reservation-store.js';
import { evseStatusesReported, expire, reservationDueAt, type PendingEvseStatus, type ReservationChange, type ReservationRecord } from '../domain/reservation.js';

export interface EvseStatusReporter {
  report(status: PendingEvseStatus): Promise<void>;
}

const MAX_ATTEMPTS = 8;
const BACKOFF = { baseMs: 1_000, maxMs: 60_000 };

/**
 * The one way reservations change (lock per reservation, compare-and-set, like commands), and
 * the EVSE statuses they imply. A change that reserves or frees an EVSE leaves a pending status
 * on the reservation in the same save; it is reported to locations right after, and retried
 * with backoff by the sweeper until locations took it, so a failed call is never lost.
 */
export class ReservationWriter {
  private readonly lock = new KeyedLock();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: ReservationStore,
    private readonly due: DueList,
    private readonly evse: EvseStatusReporter,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async update(key: string, change: (current: ReservationRecord | undefined) => ReservationChange): Promise<ReservationRecord | undefined> {
    const saved = await this.lock.run(key, () => this.apply(key, change));
    if (saved?.reservation.pendingEvseStatuses.length) this.reportSoon(key);
    return saved?.reservation;
  }

  /** The sweeper's visit of a due reservation: expire it, retry its EVSE statuses, move its due entry. */
  async sweep(entry: DueEntry): Promise<void> {
    await this.lock.run(entry.id, async () => {
      const now = this.now();
      let stored = await this.apply(entry.id, (current) => expire(current, now));
      if (!stored) return this.due.clear(entry);
      const retryAt = stored.reservation.evseRetryAt ? Date.parse(stored.reservation.evseRetryAt) : 0;
      if (stored.reservation.pendingEvseStatuses.length > 0 && retryAt <= now.getTime()) stored = (await this.reportPending(entry.id)) ?? stored;
      const next = reservationDueAt(stored.reservation);
      return next ? this.due.reschedule(entry, next) : this.due.clear(entry);
    });
  }

  /** Waits for EVSE status reports started in the background (graceful stop). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Reports the pending statuses in the background; what fails stays pending for the sweeper. */
  private reportSoon(key: string): void {
    const task = this.lock
      .run(key, () => this.reportPending(key))
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: error, reservation: key }, 'reporting EVSE statuses failed; the sweeper retries'),
      );
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Under the lock: one attempt at every pending status; what locations took, or refused for good, is dropped. */
  private async reportPending(key: string): Promise<StoredReservation | undefined> {
    const current = await this.store.get(key);
    const pending = current?.reservation.pendingEvseStatuses ?? [];
    if (pending.length === 0) return current;
    const done: PendingEvseStatus[] = [];
    for (const status of pending) {
      try {
        await this.evse.report(status);
        done.push(status);
      } catch (thrown) {
        const error = toAppError(thrown);
        if (!error.retryable) {
          // Locations refused it (unknown EVSE, bad input): asking again cannot help.
          this.logger.error({ err: error, reservation: key, evse_uid: status.evseUid, status: status.status }, 'locations refused an EVSE status; dropped');
          done.push(status);
        }
      }
    }
    return this.apply(key, (reservation) => (reservation ? evseStatusesReported(reservation, done, this.now(), BACKOFF) : { changed: false }));
  }

  /** Under the lock: read, change, schedule, save (compare-and-set, re-applied when another writer won). */
  private async apply(key: string, change: (current: ReservationRecord | undefined) => ReservationChange): Promise<StoredReservation | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const stored = await this.store.get(key);
      const outcome = change(stored?.reservation);
      if (!outcome.changed) return stored;
      // Before the save: an expiry or a retry is never left without an entry.
      const due = reservationDueAt(outcome.reservation);
      if (due) await this.due.schedule(key, due);
      const saved = await this.store.save(key, outcome.reservation, stored);
      if (saved) return saved;
    }
    throw unavailable(`reservation ${key} is changing too fast to write (${MAX_ATTEMPTS} attempts)`);
  }
}
