import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { cdrs } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CdrStore } from '../adapters/cdr-store.js';
import type { CdrRecord } from '../domain/cdr-record.js';
import type { CdrViews } from './cdr-views.js';
import { mapLimit } from './concurrency.js';

/**
 * The one way CDRs are stored and announced ("nothing lost, nothing twice"):
 * 1. an outbox entry per CDR (a small collection), then the CDRs themselves, insert-if-absent
 *    (`_id` = CC*PID*ID, so a replay or a racing replica never makes a second one);
 * 2. only the call that inserted a CDR publishes its CdrCreated (key CC*PID*ID), then writes a
 *    published marker and clears the outbox entry;
 * 3. the republisher visits outbox entries older than the grace period: a CDR with a marker
 *    (its event is out; the entry came from a replay) is only cleared; one without is published
 *    by the replica that wins its claim for the time slot; an entry without a CDR (the insert
 *    never happened) is dropped.
 * A crash after the publish and before the marker announces a CDR twice (at-least-once; the
 * dispatcher deduplicates CDRs by id).
 */
export class CdrWriter {
  constructor(
    private readonly store: CdrStore,
    private readonly publisher: EventPublisher,
    private readonly views: CdrViews,
    private readonly logger: Logger,
  ) {}

  /** Stores the CDRs that are new; resolves with those this call inserted (in input order). */
  async insert(records: readonly CdrRecord[]): Promise<CdrRecord[]> {
    if (records.length === 0) return [];
    await this.store.addToOutbox(
      records.map((record) => record.key),
      new Date(),
    );
    const inserted = await this.store.insertNew(records);
    return records.filter((record) => inserted.has(record.key));
  }

  /**
   * Publishes CdrCreated for CDRs this process inserted. A failure is logged, not thrown: the
   * CDRs are stored and their outbox entries make the republisher announce them.
   */
  async publish(records: readonly CdrRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      const messages = await this.views.views(records);
      await Promise.all(messages.map((cdr) => this.send(cdr)));
      await this.store.markPublished(
        records.map((record) => record.key),
        new Date(),
      );
    } catch (error) {
      this.logger.warn({ err: error, cdrs: records.length }, 'CdrCreated not published yet; the republisher will');
    }
  }

  /** Announces stored CDRs whose event may be missing (see the class comment). */
  async republishLost(graceMs: number): Promise<number> {
    const keys = await this.store.listOutbox(new Date(Date.now() - graceMs), 500);
    if (keys.length === 0) return 0;
    const outcomes = await mapLimit(keys, 8, async (key): Promise<'drop' | CdrRecord> => {
      if (await this.store.isPublished(key)) return 'drop';
      return (await this.store.get(key)) ?? 'drop';
    });
    await this.store.dropFromOutbox(keys.filter((_, index) => outcomes[index] === 'drop'));
    const unpublished = outcomes.filter((outcome): outcome is CdrRecord => outcome !== 'drop');
    const now = Date.now();
    const slotMs = 2 * graceMs;
    const claimed = new Set(await this.store.claimRepublish(unpublished.map((record) => record.key), Math.floor(now / slotMs), new Date(now)));
    const lost = unpublished.filter((record) => claimed.has(record.key));
    await this.store.dropClaims(new Date(now - 2 * slotMs));
    if (lost.length > 0) {
      const messages = await this.views.views(lost);
      await Promise.all(messages.map((cdr) => this.send(cdr)));
      await this.store.markPublished(
        lost.map((record) => record.key),
        new Date(),
      );
      this.logger.warn({ republished: lost.length }, 'republished CdrCreated events that were missing');
    }
    return lost.length;
  }

  private async send(cdr: cdrs.Cdr): Promise<void> {
    await this.publisher.publish({
      topic: Topics.cdr,
      key: `${cdr.cpo?.countryCode}*${cdr.cpo?.partyId}*${cdr.id}`.toUpperCase(),
      type: 'voltmesh.billing.v1.CdrCreated',
      value: cdrs.CdrCreated.encode({ cdr }).finish(),
      ...(cdr.connectionId ? { partner: cdr.connectionId } : {}),
    });
  }
}
