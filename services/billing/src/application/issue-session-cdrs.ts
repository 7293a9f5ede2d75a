import { invalidArgument, isAppError, toAppError, type AppError } from '@voltmesh/errors';
import type { sessions } from '@voltmesh/proto';
import type { CdrStore } from '../adapters/cdr-store.js';
import { cdrIdForSession, cdrKey, type CdrRecord } from '../domain/cdr-record.js';
import { completeCpoCdr, cpoCdrRecord, draftCpoCdr, pricingCdrJson, validateCdr, type CompletedSession } from '../domain/cpo-cdr.js';
import type { PricingRecord } from '../domain/pricing-record.js';
import type { CdrWriter } from './cdr-writer.js';
import { mapLimit, Semaphore, settleLimit } from './concurrency.js';
import type { CdrPricing, PricingSource } from './ports.js';
import { completedCpoSession } from './session-input.js';

export interface IssueResult {
  /** CDRs this call stored (and announced). */
  issued: CdrRecord[];
  /** Completed sessions whose CDR existed already (replays, other replicas). */
  existing: number;
  /** Events that are not a completed CPO session. */
  ignored: number;
}

/** Up to this many sessions, existing CDRs are looked up before pricing (replays come one by one). */
const LOOKUP_BELOW = 16;
/** Keys of CDRs this process stored lately: a retried batch skips them without a lookup. */
const RECENT_KEYS = 100_000;
/** PriceCdr attempts per CDR before a retryable failure fails the batch (which then backs off). */
const PRICING_ATTEMPTS = 3;

/**
 * Issues our CPO's CDRs from SessionChanged events (one fetched batch at a time): one CDR per
 * completed CPO session, priced by the tariffs engine with the session's tariff snapshot,
 * validated against the OCPI schema, stored insert-if-absent and announced once.
 *
 * When some sessions fail, the others are still stored and announced, then the call fails (a
 * retryable failure first, so the batch is retried with backoff; else the first other one, and
 * the consumer then replays the batch event by event, sending only the bad one to the DLQ). A
 * retry skips the CDRs this process stored lately without pricing them again; any other replay
 * finds them at the insert.
 */
export class SessionCdrIssuer {
  /** PriceCdr calls in flight across every partition's batch: the tariffs service is one process too. */
  private readonly pricingSlots: Semaphore;
  private readonly recent = new Set<string>();

  constructor(
    private readonly pricing: CdrPricing,
    private readonly store: CdrStore,
    private readonly writer: CdrWriter,
    private readonly options: { pricingConcurrency: number },
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.pricingSlots = new Semaphore(options.pricingConcurrency);
  }

  async issue(events: readonly sessions.Session[], heartbeat: () => Promise<void> = async () => undefined): Promise<IssueResult> {
    const completed = new Map<string, CompletedSession>();
    const unreadable: AppError[] = [];
    let ignored = 0;
    for (const event of events) {
      let input: CompletedSession | undefined;
      try {
        input = completedCpoSession(event);
      } catch (error) {
        unreadable.push(toAppError(error));
        continue;
      }
      if (!input) {
        ignored += 1;
        continue;
      }
      // The first COMPLETED state of a session is the one its CDR is made of.
      const key = cdrKey(input.session, cdrIdForSession(input.session.id));
      if (!completed.has(key)) completed.set(key, input);
    }
    let candidates = [...completed].filter(([key]) => !this.recent.has(key));
    let existing = completed.size - candidates.length;
    if (candidates.length > 0 && candidates.length < LOOKUP_BELOW) {
      const found = await mapLimit(candidates, LOOKUP_BELOW, async ([key]) => (await this.store.get(key)) !== undefined);
      candidates = candidates.filter((_, index) => !found[index]);
      existing += found.filter(Boolean).length;
    }
    const built = await settleLimit(candidates, candidates.length, ([, input]) => this.build(input));
    await heartbeat();
    const records = built.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const issued = await this.writer.insert(records);
    await this.writer.publish(issued);
    this.remember(records.map((record) => record.key));
    const failures = [...unreadable, ...built.flatMap((result) => (result.status === 'rejected' ? [toAppError(result.reason)] : []))];
    if (failures.length > 0) throw failures.find((failure) => failure.retryable) ?? failures[0];
    return { issued, existing: existing + records.length - issued.length, ignored };
  }

  private remember(keys: readonly string[]): void {
    for (const key of keys) this.recent.add(key);
    for (const key of this.recent) {
      if (this.recent.size <= RECENT_KEYS) break;
      this.recent.delete(key);
    }
  }

  /** One CDR: draft, price (when the session had a tariff), complete, validate. */
  private async build(input: CompletedSession): Promise<CdrRecord> {
    const draft = draftCpoCdr(input, this.clock().toISOString());
    let pricing;
    if (input.tariff) {
      const { country_code, party_id, id } = input.tariff;
      try {
        const source = { kind: 'inline' as const, ocpiJson: JSON.stringify(input.tariff), tariff: { country_code, party_id, id } };
        pricing = await this.priceWithRetries(source, pricingCdrJson(draft, input.timeZone));
      } catch (error) {
        // The engine refusing our own snapshot will refuse it every time: never retried.
        if (isAppError(error) && !error.retryable && error.code !== 'INTERNAL') throw invalidArgument(`CDR ${cdrKey(draft, draft.id)}: PriceCdr refused it: ${error.message}`);
        throw error;
      }
    }
    const cdr = validateCdr(completeCpoCdr(draft, pricing));
    return cpoCdrRecord(cdr, pricing);
  }

  /** A busy tariffs service (a deadline missed under load) is asked again before the batch fails. */
  private async priceWithRetries(source: PricingSource, cdrJson: string): Promise<PricingRecord> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.pricingSlots.run(() => this.pricing.priceCdr(source, cdrJson));
      } catch (error) {
        if (!isAppError(error) || !error.retryable || attempt >= PRICING_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 3 ** (attempt - 1)));
      }
    }
  }
}
