import { internal, isAppError } from '@voltmesh/errors';
import { KeyedLock } from '@voltmesh/mongo';
import { cdrSchema, parseJsonField, type Cdr } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import type { CdrStore } from '../adapters/cdr-store.js';
import type { ReconciliationStore } from '../adapters/reconciliation-store.js';
import { cdrKey, type CdrRecord } from '../domain/cdr-record.js';
import { reconciliationOutcome, tariffToReprice, type DisputeRecord, type ReconciliationRecord, type RepricingResult, type Tolerances } from '../domain/reconciliation.js';
import type { CdrPricing } from './ports.js';

export type ReconcileResult =
  | { status: 'DONE'; reconciliation: ReconciliationRecord; dispute?: DisputeRecord }
  /** The tariffs service could not answer: the CDR stays due and is retried later. */
  | { status: 'PENDING'; reason: string }
  /** Nothing to reconcile (no such EMSP-role CDR). */
  | { status: 'NONE' };

/**
 * Reconciles received CDRs: re-prices each with the partner's tariff we hold (tariffs PriceCdr,
 * stored source) and stores the outcome once; a difference beyond the tolerance, a tariff we do
 * not hold, or one the engine cannot price the CDR with opens a dispute. When the tariffs service
 * is unreachable (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, or an INTERNAL answer), the
 * CDR stays pending in reconciliation_due and the sweeper tries again after `retryMs`.
 */
export class Reconciler {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly cdrs: CdrStore,
    private readonly store: ReconciliationStore,
    private readonly pricing: CdrPricing,
    private readonly options: { tolerances: Tolerances; retryMs: number },
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Marks a CDR as due (before it is stored, so a crash in between still gets it reconciled). */
  schedule(key: string): Promise<void> {
    return this.store.schedule(key, new Date(this.clock().getTime() + this.options.retryMs));
  }

  reconcile(key: string): Promise<ReconcileResult> {
    return this.lock.run(key, () => this.reconcileOnce(key));
  }

  /** One round of the sweeper: every due CDR, one after the other. Resolves with how many were visited. */
  async sweep(limit = 200): Promise<number> {
    const keys = await this.store.listDue(this.clock(), limit);
    for (const key of keys) {
      await this.reconcile(key).catch((error: unknown) => this.logger.warn({ err: error, cdr: key }, 'reconciling failed; retried next round'));
    }
    return keys.length;
  }

  private async reconcileOnce(key: string): Promise<ReconcileResult> {
    const done = await this.store.get(key);
    if (done) {
      await this.store.clearDue(key);
      const dispute = done.status === 'DISPUTED' ? await this.store.getDispute(key) : undefined;
      return { status: 'DONE', reconciliation: done, ...(dispute ? { dispute } : {}) };
    }
    const record = await this.cdrs.get(key);
    if (!record || record.role !== 'EMSP') {
      await this.store.clearDue(key);
      return { status: 'NONE' };
    }
    const cdr = parseJsonField(cdrSchema, record.ocpi_json, `stored CDR ${key}: ocpi_json`, internal);
    const result = await this.reprice(record, cdr);
    if (result === 'retry') {
      await this.store.schedule(key, new Date(this.clock().getTime() + this.options.retryMs));
      return { status: 'PENDING', reason: 'the tariffs service is unreachable: reconciliation retried later' };
    }
    const outcome = reconciliationOutcome(record, cdr, result, this.options.tolerances, this.clock().toISOString());
    // The dispute first: a crash before the outcome is stored re-runs this, and finds it.
    const dispute = outcome.dispute ? await this.store.openDispute(outcome.dispute) : undefined;
    const reconciliation = await this.store.save(outcome.reconciliation);
    await this.store.clearDue(key);
    if (dispute) this.logger.info({ cdr: key, reason: dispute.reason }, 'dispute opened');
    return { status: 'DONE', reconciliation, ...(dispute ? { dispute } : {}) };
  }

  private async reprice(record: CdrRecord, cdr: Cdr): Promise<RepricingResult | 'retry'> {
    if (cdr.credit) return { kind: 'skipped', reason: `credit CDR (of ${cdr.credit_reference_id ?? '?'}): not re-priced` };
    const tariff = tariffToReprice(cdr);
    if (tariff.kind === 'cannot') return tariff;
    const ref = { ...record.cpo, id: tariff.id };
    try {
      const pricing = await this.pricing.priceCdr({ kind: 'stored', tariff: ref }, repricingJson(record.ocpi_json, cdr));
      return { kind: 'priced', pricing };
    } catch (error) {
      if (!isAppError(error)) throw error;
      switch (error.code) {
        case 'NOT_FOUND':
          return { kind: 'not-held', tariff: cdrKey(record.cpo, tariff.id) };
        case 'INVALID_ARGUMENT':
        case 'FAILED_PRECONDITION':
          return { kind: 'refused', tariff: cdrKey(record.cpo, tariff.id), message: error.message };
        default:
          this.logger.warn({ err: error, cdr: record.key }, 'cannot re-price now; reconciliation stays pending');
          return 'retry';
      }
    }
  }
}

/**
 * The CDR as PriceCdr reads it: the parsed CDR, plus `cdr_location.time_zone` when the partner
 * sent one (an extension some platforms add; OCPI 2.2.1's CdrLocation has none, and without it a
 * tariff with local-time restrictions cannot be priced).
 */
function repricingJson(received: string, cdr: unknown): string {
  const raw = JSON.parse(received) as { cdr_location?: { time_zone?: unknown } };
  const zone = raw.cdr_location?.time_zone;
  if (typeof zone !== 'string' || !zone) return JSON.stringify(cdr);
  const parsed = cdr as { cdr_location: Record<string, unknown> };
  return JSON.stringify({ ...parsed, cdr_location: { ...parsed.cdr_location, time_zone: zone } });
}
