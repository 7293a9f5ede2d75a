import { AppError, notFound, unavailable } from '@voltmesh/errors';
import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { KeyedLock } from '@voltmesh/mongo';
import { commands } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandStore, StoredCommand } from '../adapters/command-store.js';
import type { DueEntry, DueList } from '../adapters/due-list.js';
import type { CommandRecord } from '../domain/command.js';
import { applyDue, nextDueAt, type CommandChange } from '../domain/command-transitions.js';
import { toProto } from './command-proto.js';
import type { CommandWatchers } from './command-watchers.js';

export interface CommandTiming {
  /** How long an outbound command waits in REQUESTED for the dispatcher (DELIVERY_WAIT_MS). */
  deliveryWaitMs: number;
  /** After this, a save whose event is still unpublished counts as lost (REPUBLISH_INTERVAL_MS). */
  republishGraceMs: number;
}

export interface WriteResult {
  stored: StoredCommand;
  changed: boolean;
}

const MAX_ATTEMPTS = 8;

/**
 * The one way commands change: under the command's lock, read, apply a pure transition, save if
 * nobody wrote meanwhile (else re-read and re-apply), tell this replica's watchers, publish
 * CommandChanged. Before every save the command's due entry is set to the earlier of its next
 * deadline and the republish grace, so a deadline is never lost and neither is an event whose
 * publish failed (the sweeper republishes it). A transition that changes nothing saves and
 * publishes nothing, which makes every consumer and RPC on top idempotent.
 */
export class CommandWriter {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly store: CommandStore,
    private readonly due: DueList,
    private readonly publisher: EventPublisher,
    private readonly watchers: CommandWatchers,
    private readonly timing: CommandTiming,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores a new command (it is durable when this resolves) and announces it. */
  async create(command: CommandRecord): Promise<StoredCommand> {
    return this.lock.run(command.id, async () => {
      const saved = await this.save(command, undefined);
      if (!saved) throw new AppError('ALREADY_EXISTS', `command ${command.id} exists already`);
      return saved;
    });
  }

  /**
   * Applies `change` to the stored command. `beforeSave` runs (under the lock, before the save,
   * again on a retry) with the next state: effects that must not be lost when the process dies
   * right after the save (they are idempotent, the save is not).
   */
  async update(id: string, change: (command: CommandRecord) => CommandChange, beforeSave?: (next: CommandRecord) => Promise<void>): Promise<WriteResult> {
    return this.lock.run(id, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const stored = await this.store.get(id);
        if (!stored) throw notFound(`unknown command ${id}`);
        const outcome = change(stored.command);
        if (!outcome.changed) {
          // Repairs a save whose event was lost (the process died, or Kafka failed, after the save).
          if (stored.unpublished) await this.publish(stored);
          return { stored, changed: false };
        }
        if (beforeSave) await beforeSave(outcome.command);
        const saved = await this.save(outcome.command, stored);
        if (saved) return { stored: saved, changed: true };
      }
      throw unavailable(`command ${id} is changing too fast to write (${MAX_ATTEMPTS} attempts)`);
    });
  }

  /**
   * The sweeper's visit of a due command: time it out or mark it NOT_DELIVERED when its time
   * has come, republish a lost event, then move its due entry to what it waits for next.
   */
  async sweep(entry: DueEntry): Promise<void> {
    await this.lock.run(entry.id, async () => {
      const stored = await this.store.get(entry.id);
      if (!stored) return this.due.clear(entry);
      const now = this.now();
      const outcome = applyDue(stored.command, now, this.timing.deliveryWaitMs);
      // The save publishes the newer state (which supersedes a lost event) and schedules the entry
      // anew; when another writer won, its own save did.
      if (outcome.changed) {
        await this.save(outcome.command, stored);
        return;
      }
      let unpublished = stored.unpublished;
      if (unpublished && stored.savedAt.getTime() <= now.getTime() - this.timing.republishGraceMs) unpublished = !(await this.publish(stored));
      // Still not on Kafka (the publish failed, or another replica saved it a moment ago): look again after the grace.
      const next = earliest([nextDueAt(stored.command, this.timing.deliveryWaitMs)?.getTime(), unpublished ? now.getTime() + this.timing.republishGraceMs : undefined]);
      return next ? this.due.reschedule(entry, next) : this.due.clear(entry);
    });
  }

  /** Saves (compare-and-set on `expected`), then tells watchers and publishes. Undefined when another writer won. */
  private async save(command: CommandRecord, expected: StoredCommand | undefined): Promise<StoredCommand | undefined> {
    const deadline = nextDueAt(command, this.timing.deliveryWaitMs);
    const entry = { id: command.id, dueAt: new Date(Math.min(deadline?.getTime() ?? Infinity, this.now().getTime() + this.timing.republishGraceMs)) };
    await this.due.schedule(entry.id, entry.dueAt);
    const saved = await this.store.save(command, expected);
    if (!saved) return undefined;
    this.watchers.notify(toProto(saved.command, saved.rev));
    if (await this.publish(saved)) {
      // Published: the entry only needs to stay for the deadline (if any).
      if (!deadline) await this.due.clear(entry);
      else if (deadline.getTime() !== entry.dueAt.getTime()) await this.due.reschedule(entry, deadline);
    }
    return saved;
  }

  /**
   * Publishes a saved state and clears its marker. A failure is logged, not thrown: the state
   * is durable and the sweeper republishes it, so callers (a partner waiting for our answer)
   * are not failed after the fact.
   */
  private async publish(saved: StoredCommand): Promise<boolean> {
    try {
      const event: commands.CommandChanged = { command: toProto(saved.command, saved.rev) };
      await this.publisher.publish({
        topic: Topics.command,
        key: saved.command.id,
        type: 'voltmesh.sessions.v1.CommandChanged',
        value: commands.CommandChanged.encode(event).finish(),
        ...(saved.command.connectionId ? { partner: saved.command.connectionId } : {}),
      });
      await this.store.markPublished(saved.command.id, saved.rev);
      return true;
    } catch (error) {
      this.logger.warn({ err: error, command_id: saved.command.id, rev: saved.rev }, 'CommandChanged not published yet; the sweeper retries');
      return false;
    }
  }
}

function earliest(times: ReadonlyArray<number | undefined>): Date | undefined {
  const known = times.filter((time): time is number => time !== undefined && Number.isFinite(time));
  return known.length > 0 ? new Date(Math.min(...known)) : undefined;
}
