import { unavailable } from '@voltmesh/errors';
import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { KeyedLock } from '@voltmesh/mongo';
import { chargingProfileService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { DueEntry, DueList } from '../adapters/due-list.js';
import type { ProfileStore, StoredProfile } from '../adapters/profile-store.js';
import type { ActiveProfileRecord, ProfileChange } from '../domain/active-profile.js';

export interface ProfileWriteResult {
  stored: StoredProfile | undefined;
  changed: boolean;
}

const MAX_ATTEMPTS = 8;

/**
 * The one way a session's profile record changes: under the session key's lock, read, apply a
 * pure transition, save if nobody wrote meanwhile (else re-read and re-apply). A save that owes
 * the eMSP the profile sets the publish marker and publishes ActiveProfileChanged on
 * sessions.active-profile.v1 with the stored revision (it increases with every save of the
 * record, so it orders the pushes of one session); the marker stays until the event is on
 * Kafka. Nothing lost: before such a save the key gets a `profile_due` entry (due after the
 * republish grace) that the publish removes; the sweeper publishes the current state of a
 * record still marked when its entry is due.
 */
export class ProfileWriter {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly store: ProfileStore,
    private readonly due: DueList,
    private readonly publisher: EventPublisher,
    private readonly options: { republishGraceMs: number },
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async update(key: string, change: (current: ActiveProfileRecord | undefined) => ProfileChange): Promise<ProfileWriteResult> {
    return this.lock.run(key, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const stored = await this.store.get(key);
        const outcome = change(stored?.record);
        if (!outcome.changed) return { stored, changed: false };
        // A push still owed (its publish failed) stays owed: the event carries the current state.
        const unpublished = outcome.push || (!!stored?.unpublished && !!outcome.record.setBy);
        const dueAt = new Date(this.now().getTime() + this.options.republishGraceMs);
        if (unpublished) await this.due.schedule(key, dueAt);
        const saved = await this.store.save(outcome.record, unpublished, stored);
        if (!saved) continue;
        if (unpublished && (await this.publish(saved))) await this.due.clear({ id: key, dueAt });
        return { stored: saved, changed: true };
      }
      throw unavailable(`the profile of session ${key} is changing too fast to write (${MAX_ATTEMPTS} attempts)`);
    });
  }

  /** The sweeper's visit of a due entry: a push whose event may be lost is published again (the current state). */
  async sweep(entry: DueEntry): Promise<void> {
    await this.lock.run(entry.id, async () => {
      const stored = await this.store.get(entry.id);
      if (!stored?.unpublished) return this.due.clear(entry);
      const now = this.now().getTime();
      // Saved a moment ago (by another replica, whose publish may be in flight): look again after the grace.
      const settled = stored.savedAt.getTime() + this.options.republishGraceMs;
      if (settled > now) return this.due.reschedule(entry, new Date(settled));
      if (await this.publish(stored)) return this.due.clear(entry);
      return this.due.reschedule(entry, new Date(now + this.options.republishGraceMs));
    });
  }

  /**
   * Publishes a saved state the eMSP is owed and clears its marker. A failure is logged, not
   * thrown: the state is durable and the sweeper republishes it, so the CSMS is not failed after
   * the fact.
   */
  private async publish(saved: StoredProfile): Promise<boolean> {
    const { record } = saved;
    if (!record.setBy) return true;
    try {
      const event: chargingProfileService.ActiveProfileChanged = {
        cpo: { countryCode: record.cpo.countryCode, partyId: record.cpo.partyId },
        sessionId: record.sessionId,
        connectionId: record.setBy.connectionId,
        emsp: { countryCode: record.setBy.emsp.countryCode, partyId: record.setBy.emsp.partyId },
        activeProfileJson: record.profileJson,
        revision: String(saved.rev),
      };
      await this.publisher.publish({
        topic: Topics.activeProfile,
        key: record.key,
        type: 'voltmesh.sessions.v1.ActiveProfileChanged',
        value: chargingProfileService.ActiveProfileChanged.encode(event).finish(),
        partner: record.setBy.connectionId,
      });
      await this.store.markPublished(record.key, saved.rev);
      return true;
    } catch (error) {
      this.logger.warn({ err: error, session_key: record.key, rev: saved.rev }, 'ActiveProfileChanged not published yet; the sweeper retries');
      return false;
    }
  }
}
