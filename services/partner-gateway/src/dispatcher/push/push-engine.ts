import { randomUUID } from 'node:crypto';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { z } from 'zod';
import type { RoutingHeaders } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import type { PartnerClient } from '../../adapters/partner-client.js';
import { countDeliveryFailure } from '../../adapters/partner-telemetry.js';
import { requestFor } from './append-delta.js';
import { fullJitterBackoff } from './backoff.js';
import { outcomeOfError, outcomeOfResponse, type DeliveryOutcome } from './delivery-outcome.js';
import { InFlightLimit } from './in-flight-limit.js';
import type { EnqueueResult, PartnerBacklog, PushCredentialsSource, PushJob } from './push-job.js';
import type { ClaimedPush, PushOutbox } from './push-outbox.js';

export interface PushEngineOptions {
  /** Calls in flight to one partner while it is healthy; a failing partner gets one probe at a time. */
  perPartnerConcurrency: number;
  /** Calls in flight to all partners together. Keep it well above perPartnerConcurrency. */
  maxInFlight: number;
  /** Deadline of each push call. */
  callTimeoutMs: number;
  /** First retry delay ceiling; doubles per consecutive failure of the partner, full jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A partner's Retry-After is honoured up to this long. */
  retryAfterMaxMs: number;
  /** How often to look for work this process was not told about (another instance, a restart). */
  pollIntervalMs: number;
  /** Due objects read per poll, at most; the next poll reads on. */
  pollBatch: number;
  /** A claim outlives the call's deadline by this much before another instance may take the object. */
  leaseMarginMs: number;
  /** On stop, how long calls in flight may finish before they are abandoned (their objects stay pending). */
  stopGraceMs: number;
}

export const DEFAULT_PUSH_ENGINE_OPTIONS: PushEngineOptions = {
  perPartnerConcurrency: 4,
  maxInFlight: 256,
  callTimeoutMs: 10_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  retryAfterMaxMs: 60 * 60_000,
  pollIntervalMs: 5_000,
  pollBatch: 5_000,
  leaseMarginMs: 5_000,
  stopGraceMs: 5_000,
};

export type PartnerCaller = Pick<PartnerClient, 'call'>;

export interface PushEngineDeps {
  outbox: PushOutbox;
  partners: PartnerCaller;
  credentials: PushCredentialsSource;
  logger: Logger;
  /** Milliseconds since the epoch; tests may steer it. */
  clock?: () => number;
  random?: () => number;
}

/** What one partner's worker is doing right now, for metrics and support. */
export interface PartnerPushStatus {
  partnerId: string;
  inFlight: number;
  /** Pending objects this process knows of and will try (due or waiting for a retry). */
  known: number;
  consecutiveFailures: number;
  pausedUntil?: Date;
}

/**
 * Delivers pushes to partners. Jobs go to the outbox (Mongo) first; one worker per partner with
 * work takes that partner's due objects, oldest first, and settles each by compare-and-set, so
 * a state that arrived while its predecessor was in flight is delivered next and never lost.
 * A partner's failures pause only that partner's worker; nothing is queued in memory per change.
 */
export class PushEngine {
  private readonly options: PushEngineOptions;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly workers = new Map<string, PartnerWorker>();
  /** Each partner's backoff as last read or written by this process: read from Mongo once per partner. */
  private readonly backoffs = new Map<string, PartnerBackoff>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly limit: InFlightLimit;
  private readonly shutdown = new AbortController();
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly context: WorkerContext;

  constructor(
    private readonly deps: PushEngineDeps,
    options: Partial<PushEngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_PUSH_ENGINE_OPTIONS, ...options };
    this.logger = deps.logger.child({ component: 'push' });
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.limit = new InFlightLimit(this.options.maxInFlight);
    this.context = {
      outbox: deps.outbox,
      logger: this.logger,
      clock: this.clock,
      limit: this.limit,
      settings: this.options,
      backoffs: this.backoffs,
      isRunning: () => this.state === 'running',
      retire: (worker) => {
        if (this.workers.get(worker.partnerId) === worker) this.workers.delete(worker.partnerId);
      },
      deliver: (worker, claim) => {
        const delivery = this.deliver(worker, claim);
        this.deliveries.add(delivery);
        return delivery.finally(() => this.deliveries.delete(delivery));
      },
    };
  }

  /**
   * Makes `job` the object's pending state for its partner, unless an equal or newer version was
   * enqueued before ('stale'). Durable once this resolves; delivered after start().
   */
  async enqueue(job: PushJob): Promise<EnqueueResult> {
    const result = await this.deps.outbox.enqueue(job, new Date(this.clock()));
    if (result === 'queued') this.offer(job.partnerId, job.objectKey, this.clock());
    return result;
  }

  /** Starts delivering, including whatever an earlier run left pending. */
  start(): void {
    if (this.state !== 'idle') throw new Error(`push engine cannot start when ${this.state}`);
    this.state = 'running';
    this.poll();
    this.poller = setInterval(() => this.poll(), this.options.pollIntervalMs);
  }

  /** Takes no new work, lets calls in flight finish for up to `graceMs`, then abandons the rest (they stay pending). */
  async stop(graceMs: number = this.options.stopGraceMs): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    clearInterval(this.poller);
    this.limit.close();
    for (const worker of this.workers.values()) worker.wake();
    if (this.deliveries.size > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.deliveries]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.shutdown.abort();
    await Promise.allSettled([...this.deliveries]);
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.done));
  }

  /** Whether a state of the object is still to be delivered to the partner (queued or in flight). */
  hasPending(partnerId: string, objectKey: string): Promise<boolean> {
    return this.deps.outbox.hasPending(partnerId, objectKey);
  }

  /** Objects not yet delivered, per partner (for the push backlog gauge). */
  backlog(): Promise<PartnerBacklog[]> {
    return this.deps.outbox.backlog();
  }

  /** Partners this process is working on now; no I/O. */
  status(): PartnerPushStatus[] {
    const now = this.clock();
    return [...this.workers.values()].map((worker) => ({
      partnerId: worker.partnerId,
      inFlight: worker.inFlight,
      known: worker.known,
      consecutiveFailures: worker.failures,
      ...(worker.pausedUntil > now ? { pausedUntil: new Date(worker.pausedUntil) } : {}),
    }));
  }

  /** Tells the partner's worker (started if need be) that the object has a state due at `dueAt`. */
  private offer(partnerId: string, objectKey: string, dueAt: number): void {
    if (this.state !== 'running') return;
    const running = this.workers.get(partnerId);
    if (running) {
      running.offer(objectKey, dueAt);
      return;
    }
    // The offer goes in before the loop starts: a loop that finds nothing known retires at once.
    const worker = new PartnerWorker(partnerId, this.context);
    this.workers.set(partnerId, worker);
    worker.offer(objectKey, dueAt);
    worker.begin();
  }

  /** The slow path: pending work this process was not told about (a restart, another instance, a lost hint). */
  private poll(): void {
    if (this.polling || this.state !== 'running') return;
    this.polling = true;
    this.deps.outbox
      .dueObjects(new Date(this.clock()), this.options.pollBatch)
      .then((due) => {
        for (const object of due) this.offer(object.partnerId, object.objectKey, object.dueAt.getTime());
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'looking for due pushes failed'))
      .finally(() => (this.polling = false));
  }

  /** One attempt at one claimed object, settled in the outbox, in the trace of the change that queued it; never throws. */
  private deliver(worker: PartnerWorker, claim: ClaimedPush): Promise<void> {
    return context.with(propagation.extract(ROOT_CONTEXT, claim.job.trace ?? {}), () => this.deliverNow(worker, claim));
  }

  private async deliverNow(worker: PartnerWorker, claim: ClaimedPush): Promise<void> {
    const { job } = claim;
    const requestId = randomUUID();
    let outcome: DeliveryOutcome;
    try {
      const credentials = await this.deps.credentials.getCredentials(job.partnerId);
      if (!credentials) {
        outcome = { kind: 'retry', message: 'no credentials for this partner (is it still registered?)' };
      } else {
        const request = requestFor(job, claim.deliveredListLength);
        const response = await this.deps.partners.call({
          method: request.method,
          url: job.url,
          token: credentials.token,
          authMode: credentials.authMode,
          body: request.body,
          data: z.unknown(),
          correlationId: job.correlationId,
          requestId,
          partner: job.partnerId,
          module: moduleOf(job),
          ...(job.routing ? { routing: routingHeaders(job.routing) } : {}),
          signal: this.shutdown.signal,
          timeoutMs: this.options.callTimeoutMs,
        });
        outcome = outcomeOfResponse(response, this.clock());
      }
    } catch (error) {
      outcome = outcomeOfError(error, this.clock());
    }
    const log = this.logger.child({
      partner_id: job.partnerId,
      object_key: job.objectKey,
      version: job.version,
      request_id: requestId,
      correlation_id: job.correlationId,
    });
    try {
      await this.record(worker, claim, outcome, requestId, log);
    } catch (error) {
      // The lease runs out and the object is tried again: at least once, never lost.
      log.error({ err: error }, 'recording a push outcome failed');
    }
  }

  private async record(worker: PartnerWorker, claim: ClaimedPush, outcome: DeliveryOutcome, requestId: string, log: Logger): Promise<void> {
    const { outbox } = this.deps;
    const now = this.clock();
    switch (outcome.kind) {
      case 'interrupted':
        await outbox.release(claim);
        worker.offer(claim.job.objectKey, now);
        log.info('push abandoned at shutdown; it stays pending');
        return;
      case 'delivered': {
        const settled = await outbox.settle(claim, { ...outcome, requestId }, new Date(now));
        if (settled === 'newer-pending') worker.offer(claim.job.objectKey, now);
        if (outcome.note) log.warn({ http_status: outcome.httpStatus, note: outcome.note }, 'push accepted without an OCPI answer');
        else log.debug({ http_status: outcome.httpStatus }, 'push delivered');
        if (settled === 'lost') log.warn('push delivered after its claim expired');
        await worker.recovered();
        return;
      }
      case 'rejected': {
        countDeliveryFailure(claim.job.partnerId, moduleOf(claim.job));
        const settled = await outbox.settle(claim, { ...outcome, requestId }, new Date(now));
        if (settled === 'newer-pending') worker.offer(claim.job.objectKey, now);
        log.warn({ http_status: outcome.httpStatus, status_code: outcome.statusCode, reason: outcome.message }, 'partner refused a push; dead-lettered');
        await worker.recovered();
        return;
      }
      case 'retry': {
        countDeliveryFailure(claim.job.partnerId, moduleOf(claim.job));
        const pauseMs =
          outcome.retryAfterMs !== undefined
            ? Math.min(outcome.retryAfterMs, this.options.retryAfterMaxMs)
            : fullJitterBackoff(worker.failures + 1, this.options.backoffBaseMs, this.options.backoffMaxMs, this.random);
        const pausedUntil = await worker.failed(now + pauseMs, outcome.message);
        // This object also waits its own backoff, so one object the partner keeps failing on
        // does not stay at the head of the partner's queue.
        const ownDelay = fullJitterBackoff(claim.attempts, this.options.backoffBaseMs, this.options.backoffMaxMs, this.random);
        const dueAt = new Date(Math.max(pausedUntil, now + ownDelay));
        if (await outbox.retryLater(claim, dueAt, outcome.message, new Date(now))) worker.offer(claim.job.objectKey, dueAt.getTime());
        log.warn(
          {
            http_status: outcome.httpStatus,
            status_code: outcome.statusCode,
            reason: outcome.message,
            attempts: claim.attempts,
            partner_failures: worker.failures,
            retry_at: dueAt.toISOString(),
          },
          'push failed; retrying later',
        );
        return;
      }
    }
  }
}

interface PartnerBackoff {
  failures: number;
  pausedUntil: number;
}

/** What a worker needs of its engine. */
interface WorkerContext {
  outbox: PushOutbox;
  logger: Logger;
  clock: () => number;
  limit: InFlightLimit;
  settings: PushEngineOptions;
  backoffs: Map<string, PartnerBackoff>;
  isRunning(): boolean;
  /** Forgets the worker, so the next wake-up of its partner starts a new one. */
  retire(worker: PartnerWorker): void;
  /** Runs and tracks one delivery (stop waits for it); never rejects. */
  deliver(worker: PartnerWorker, claim: ClaimedPush): Promise<void>;
}

/**
 * The loop of one partner: takes its known due objects, oldest first, while it has room; sleeps
 * while the partner is paused or nothing is due; ends when it knows of nothing pending. What it
 * knows is one entry per pending object (not per change), learnt from enqueues in this process,
 * from its own retries and from the periodic poll. A wake-up cuts a sleep short.
 */
class PartnerWorker {
  inFlight = 0;
  done: Promise<void> = Promise.resolve();
  /** objectKey → when it is due; in the order first learnt, retries moved to the back. */
  private readonly pending = new Map<string, number>();
  private readonly sending = new Set<string>();
  private woken = false;
  private interruptSleep: (() => void) | undefined;

  constructor(
    readonly partnerId: string,
    private readonly context: WorkerContext,
  ) {}

  private backoff: PartnerBackoff = { failures: 0, pausedUntil: 0 };

  get failures(): number {
    return this.backoff.failures;
  }

  get pausedUntil(): number {
    return this.backoff.pausedUntil;
  }

  get known(): number {
    return this.pending.size;
  }

  begin(): void {
    this.done = this.run().catch((error: unknown) => {
      this.context.retire(this);
      this.context.logger.error({ err: error, partner_id: this.partnerId }, 'push worker crashed');
    });
  }

  /** The object has a state due at `dueAt` (an earlier known time wins, and keeps its place). */
  offer(objectKey: string, dueAt: number): void {
    const known = this.pending.get(objectKey);
    if (known === undefined || dueAt < known) this.pending.set(objectKey, dueAt);
    this.wake();
  }

  wake(): void {
    this.woken = true;
    this.interruptSleep?.();
  }

  /** The partner answered (delivered or refused): its backoff ends. */
  async recovered(): Promise<void> {
    if (this.backoff.failures === 0 && this.backoff.pausedUntil === 0) return;
    this.backoff.failures = 0;
    this.backoff.pausedUntil = 0;
    await this.persistBackoff(undefined);
  }

  /** Counts a failure and pauses the partner until at least `until`; returns the pause's end. */
  async failed(until: number, message: string): Promise<number> {
    this.backoff.failures += 1;
    this.backoff.pausedUntil = Math.max(this.backoff.pausedUntil, until);
    const { pausedUntil } = this.backoff;
    await this.persistBackoff(message);
    return pausedUntil;
  }

  /** Best effort: this process goes by its memory; the stored copy serves restarts and other instances. */
  private async persistBackoff(lastError: string | undefined): Promise<void> {
    const { failures, pausedUntil } = this.backoff;
    try {
      await this.context.outbox.savePartnerState(this.partnerId, { failures, pausedUntil: new Date(pausedUntil), ...(lastError ? { lastError } : {}) });
    } catch (error) {
      this.context.logger.warn({ err: error, partner_id: this.partnerId }, 'storing push backoff failed');
    }
  }

  private async run(): Promise<void> {
    const { outbox, logger, clock, limit, settings, backoffs } = this.context;
    const cached = backoffs.get(this.partnerId);
    if (cached) {
      this.backoff = cached;
    } else {
      // A pause set before a restart (or by another instance) still holds.
      try {
        const saved = await outbox.partnerState(this.partnerId);
        if (saved) this.backoff = { failures: saved.failures, pausedUntil: saved.pausedUntil.getTime() };
      } catch (error) {
        logger.warn({ err: error, partner_id: this.partnerId }, 'reading push backoff failed; starting without');
      }
      backoffs.set(this.partnerId, this.backoff);
    }

    while (this.context.isRunning()) {
      this.woken = false;
      const now = clock();
      if (this.pausedUntil > now) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      const room = this.failures > 0 ? 1 : settings.perPartnerConcurrency;
      if (this.inFlight >= room) {
        await this.sleep(settings.pollIntervalMs);
        continue;
      }
      const next = this.nextDue(now);
      if (next.objectKey === undefined) {
        if (this.pending.size === 0 && this.inFlight === 0) {
          // Synchronously with the decision: an offer after this starts a new worker.
          this.context.retire(this);
          return;
        }
        await this.sleep(Math.min(Math.max(next.wakeAt - now, 1), settings.pollIntervalMs));
        continue;
      }
      if (!(await limit.acquire())) break;
      if (!this.context.isRunning()) {
        limit.release();
        break;
      }

      const objectKey = next.objectKey;
      this.pending.delete(objectKey);
      this.sending.add(objectKey);
      this.inFlight += 1;
      const settle = () => {
        this.sending.delete(objectKey);
        this.inFlight -= 1;
        limit.release();
        this.wake();
      };
      let claim: ClaimedPush | undefined;
      try {
        const at = clock();
        claim = await outbox.claim(this.partnerId, objectKey, new Date(at), new Date(at + settings.callTimeoutMs + settings.leaseMarginMs), randomUUID());
      } catch (error) {
        settle();
        this.offer(objectKey, clock() + settings.pollIntervalMs);
        logger.warn({ err: error, partner_id: this.partnerId, object_key: objectKey }, 'claiming a push failed');
        continue;
      }
      // Nothing to claim: already delivered, not due yet (another instance's retry) or leased
      // elsewhere. The poll brings it back when it is due again.
      if (!claim) {
        settle();
        continue;
      }
      void this.context.deliver(this, claim).finally(settle);
    }
    this.context.retire(this);
  }

  /** The first known object that is due and not being sent, else when the earliest one will be. */
  private nextDue(now: number): { objectKey?: string; wakeAt: number } {
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const [objectKey, dueAt] of this.pending) {
      if (this.sending.has(objectKey)) continue;
      if (dueAt <= now) return { objectKey, wakeAt: now };
      wakeAt = Math.min(wakeAt, dueAt);
    }
    return { wakeAt };
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.context.isRunning()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.interruptSleep = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.interruptSleep = finish;
    });
  }
}

function routingHeaders(routing: NonNullable<PushJob['routing']>): RoutingHeaders {
  return {
    fromCountryCode: routing.from.countryCode,
    fromPartyId: routing.from.partyId,
    toCountryCode: routing.to.countryCode,
    toPartyId: routing.to.partyId,
  };
}

/** The OCPI module of a push: object keys start with it (`locations:NL*VLT*LOC1`). */
function moduleOf(job: PushJob): string {
  return job.objectKey.split(':', 1)[0] ?? 'unknown';
}
