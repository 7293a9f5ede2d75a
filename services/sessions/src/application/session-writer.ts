import { unavailable } from '@voltmesh/errors';
import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { KeyedLock } from '@voltmesh/mongo';
import { sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { DueEntry, DueList } from '../adapters/due-list.js';
import type { PeriodEdit, SessionStore, StoredSession } from '../adapters/session-store.js';
import { checkPeriodLimit, type CommandClaim, type SessionRecord } from '../domain/session.js';
import { toSessionProto } from './session-proto.js';
import type { SessionWatchers } from './session-watchers.js';

/** A change to store: the next record (undefined: a claim only), the claim, how the periods change. */
export interface SessionChange {
  changed: true;
  record: SessionRecord | undefined;
  claim: CommandClaim | undefined;
  edit?: PeriodEdit | undefined;
}

export type ChangeOutcome = { changed: false } | SessionChange;

export interface SessionWriteResult {
  stored: StoredSession | undefined;
  changed: boolean;
  /** The whole session as the contract's Session; undefined when there is none (nothing stored, or a claim only). */
  session: sessions.Session | undefined;
}

export interface SessionWriterOptions {
  /** After this, a save whose SessionChanged is not on Kafka counts as lost and is republished (REPUBLISH_INTERVAL_MS). */
  republishGraceMs: number;
  /** SESSION_MAX_PERIODS. */
  maxPeriods: number;
}

const MAX_ATTEMPTS = 8;
/** Sessions whose last saved state this process keeps to skip the read before the next change. */
const RECENT_MAX = 1_000;

/**
 * The one way sessions change: under the session's lock (FerretDB's conditional updates race
 * within a process), read, decide (the change may price the session or read stored periods),
 * save if nobody wrote meanwhile (else re-read and decide again), tell this replica's watchers,
 * publish SessionChanged with the whole session and the stored revision. A change that changes
 * nothing saves and publishes nothing, which makes every RPC and consumer on top idempotent.
 *
 * The state this process saved last is kept per session (the RECENT_MAX most recent): a running
 * session's next change starts from it instead of a read. The save's compare-and-set still
 * decides: when another replica wrote meanwhile it fails and the change is decided again on a
 * fresh read, and so is a change that finds nothing to do or refuses the request on a kept state
 * (its answer must reflect the stored session).
 *
 * Nothing lost: before a save the session gets an entry in `session_due` (due after the
 * republish grace) that the publish removes; an entry still there when due means the event may
 * not be on Kafka (the process died, or Kafka failed), and the sweeper publishes the session's
 * current state. Events of one session leave this process in revision order (the publish is
 * under the lock); a republished state may follow a newer one on the topic, so consumers keep
 * the highest revision.
 */
export class SessionWriter {
  private readonly lock = new KeyedLock();
  private readonly recent = new Map<string, StoredSession>();

  constructor(
    private readonly store: SessionStore,
    private readonly due: DueList,
    private readonly publisher: EventPublisher,
    private readonly watchers: SessionWatchers,
    private readonly options: SessionWriterOptions,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `readUnchanged`: also build the Session when nothing changed (an RPC answers with it; a consumer needs none). */
  async update(key: string, change: (current: StoredSession | undefined) => Promise<ChangeOutcome>, readUnchanged = true): Promise<SessionWriteResult> {
    return this.lock.run(key, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const kept = attempt === 0 ? this.recent.get(key) : undefined;
        this.recent.delete(key);
        const stored = kept ?? (await this.store.get(key));
        let outcome: ChangeOutcome;
        try {
          outcome = await change(stored);
        } catch (error) {
          if (kept) continue;
          throw error;
        }
        if (!outcome.changed) {
          if (kept) continue;
          return { stored, changed: false, session: stored && readUnchanged ? await this.read(stored) : undefined };
        }
        if (outcome.record) checkPeriodLimit(outcome.record, this.options.maxPeriods);
        const dueAt = new Date(this.now().getTime() + this.options.republishGraceMs);
        if (outcome.record) await this.due.schedule(key, dueAt);
        const saved = await this.store.save(key, outcome, outcome.edit, stored);
        if (!saved) continue;
        this.keep(saved);
        const session = await this.read(saved);
        if (session) {
          this.watchers.notify(session);
          // The answer need not wait for the entry to go: a late removal only matches this save's entry.
          if (await this.publish(session)) void this.due.clear({ id: key, dueAt }).catch((error: unknown) => this.logger.warn({ err: error, session_key: key }, 'could not remove a session due entry; the sweeper will'));
        }
        return { stored: saved, changed: true, session };
      }
      throw unavailable(`session ${key} is changing too fast to write (${MAX_ATTEMPTS} attempts)`);
    });
  }

  /** The stored session as the contract's Session, periods included; undefined for a claim only. */
  async read(stored: StoredSession): Promise<sessions.Session | undefined> {
    if (!stored.record) return undefined;
    return toSessionProto(stored.record, stored.rev, await this.store.periodsFrom(stored, 0));
  }

  /** The sweeper's visit of a due entry: the session's event may be lost, so its current state is published again. */
  async sweep(entry: DueEntry): Promise<void> {
    await this.lock.run(entry.id, async () => {
      const stored = await this.store.get(entry.id);
      const session = stored ? await this.read(stored) : undefined;
      if (session && !(await this.publish(session))) return this.due.reschedule(entry, new Date(this.now().getTime() + this.options.republishGraceMs));
      return this.due.clear(entry);
    });
  }

  private keep(saved: StoredSession): void {
    this.recent.set(saved.key, saved);
    if (this.recent.size > RECENT_MAX) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
  }

  /**
   * Publishes a saved state. A failure is logged, not thrown: the state is durable and the
   * sweeper republishes it, so the CSMS (or the partner's write) is not failed after the fact.
   */
  private async publish(session: sessions.Session): Promise<boolean> {
    try {
      await this.publisher.publish({
        topic: Topics.session,
        key: `${session.cpo?.countryCode ?? ''}*${session.cpo?.partyId ?? ''}*${session.id}`.toUpperCase(),
        type: 'voltmesh.sessions.v1.SessionChanged',
        value: sessions.SessionChanged.encode({ session }).finish(),
        ...(session.connectionId ? { partner: session.connectionId } : {}),
      });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, session_id: session.id, revision: session.revision }, 'SessionChanged not published yet; the sweeper retries');
      return false;
    }
  }
}
