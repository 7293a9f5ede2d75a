import { randomUUID } from 'node:crypto';
import { AppError } from '@voltmesh/errors';
import type { Logger } from '@voltmesh/telemetry';
import type { Connection } from '../../domain/connection.js';
import { crawl, crawlCompleted } from './crawl.js';
import type { FetchPartnerPage, PageRequest } from './http-page-fetcher.js';
import type { PullRunSummary, PullState, PullStateStore } from './pull-state-store.js';
import { pullStateId } from './pull-state-store.js';
import type { PullConnections, PullTarget, RequestPullSync, SyncRequest, SyncRequestOptions } from './pull-targets.js';
import { DEFAULT_PULL_MODULES, pullSyncRequester, pullTargets } from './pull-targets.js';

export interface PullContext {
  connectionId: string;
  module: string;
  /** The partner's party in the module's sender role (the first, when the connection has several). */
  party: { countryCode: string; partyId: string };
}

/** Where pulled objects go (the module's ingress topic, like a partner PUT). Awaited: backpressure. */
export type PulledObjectsSink = (context: PullContext, objects: unknown[]) => Promise<void>;

export interface PullSyncOptions {
  /** Modules to pull where the partner has a Sender endpoint. Default locations, tariffs. */
  modules?: readonly string[];
  /** Incremental crawl cadence per (connection, module); OCPI advises hours, with jitter. Default 1 h. */
  intervalMs?: number;
  /** How often to look for due or requested work. Default 5 s. */
  pollMs?: number;
  /** Re-crawl everything this often (recovers deletions and missed changes). Default: only the first run and on request. */
  fullEveryMs?: number;
  /** Page size asked of partners. Default 100. */
  pageLimit?: number;
  /** Safety bound per crawl; reaching it counts as a failed run. Default 10,000. */
  maxPages?: number;
  /** Subtracted from the watermark: changes a partner committed late, clock steps. Default 5 min. */
  overlapMs?: number;
  /** Lease of one crawl, renewed as pages arrive; must exceed the page timeout. Default 2 min. */
  leaseMs?: number;
  /** Partners crawled at once; each partner runs one crawl at a time. Default 8. */
  maxConcurrent?: number;
  /** First retry delay after a failure, doubling up to `intervalMs`. Default 30 s. */
  retryBaseMs?: number;
  /** Our eMSP party, sent as OCPI-from-* (functional modules carry routing headers). */
  ownParty?: { countryCode: string; partyId: string };
}

export interface PullSyncDeps {
  connections: PullConnections;
  state: PullStateStore;
  fetchPage: FetchPartnerPage;
  sink: PulledObjectsSink;
  logger: Logger;
  /** This instance's name in leases. Default a random UUID. */
  instanceId?: string;
  now?: () => Date;
}

type Settings = Required<Omit<PullSyncOptions, 'fullEveryMs' | 'ownParty'>> & Pick<PullSyncOptions, 'fullEveryMs' | 'ownParty'>;

/** The dispatcher lost the lease mid-crawl (it expired and another instance took over). */
class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(key: string) {
    super(`pull lease of ${key} lost`);
  }
}

/**
 * Pull sync of partners' Sender interfaces: per (connection, module), a full crawl first, then
 * incremental crawls by `date_from` on an interval and on request. State and a lease live in
 * `pull_state`, so several dispatcher instances share the work without crawling one thing
 * twice. Each partner runs in its own task with a deadline on every page: a slow partner
 * holds one slot, never the others.
 */
export class PullSync {
  private readonly settings: Settings;
  private readonly logger: Logger;
  private readonly instanceId: string;
  private readonly now: () => Date;
  private readonly requester: RequestPullSync;
  /** One task per partner connection. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;

  constructor(
    private readonly deps: PullSyncDeps,
    options: PullSyncOptions = {},
  ) {
    this.settings = {
      modules: options.modules ?? DEFAULT_PULL_MODULES,
      intervalMs: options.intervalMs ?? 3_600_000,
      pollMs: options.pollMs ?? 5_000,
      pageLimit: options.pageLimit ?? 100,
      maxPages: options.maxPages ?? 10_000,
      overlapMs: options.overlapMs ?? 300_000,
      leaseMs: options.leaseMs ?? 120_000,
      maxConcurrent: options.maxConcurrent ?? 8,
      retryBaseMs: options.retryBaseMs ?? 30_000,
      ...(options.fullEveryMs !== undefined ? { fullEveryMs: options.fullEveryMs } : {}),
      ...(options.ownParty ? { ownParty: options.ownParty } : {}),
    };
    this.logger = deps.logger.child({ component: 'pull-sync' });
    this.instanceId = deps.instanceId ?? randomUUID();
    this.now = deps.now ?? (() => new Date());
    this.requester = pullSyncRequester({ connections: deps.connections, state: deps.state, modules: this.settings.modules, now: this.now });
  }

  /** Polls for due and requested work until stop(). */
  start(): void {
    this.schedule(this.settings.pollMs);
  }

  /** Stops polling, aborts running crawls (their leases are released, not failed) and waits for them. */
  async stop(): Promise<void> {
    this.stopping.abort(new AppError('UNAVAILABLE', 'pull sync stopping'));
    clearTimeout(this.timer);
    await this.passing;
    await Promise.allSettled(this.running.values());
  }

  /** The admin API's port in the dispatcher process: marks the request and looks for work at once. */
  readonly requestSync = async (connectionId: string, options: SyncRequestOptions = {}): Promise<SyncRequest> => {
    const request = await this.requester(connectionId, options);
    if (!this.stopping.signal.aborted) this.schedule(0);
    return request;
  };

  /** One scheduling pass, then waits for the crawls it started (tests, one-shot tools). */
  async runOnce(): Promise<void> {
    await this.pass();
    await Promise.allSettled(this.running.values());
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.pass().finally(() => {
        if (!this.stopping.signal.aborted) this.schedule(this.settings.pollMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private pass(): Promise<void> {
    this.passing ??= this.startDueWork()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'pull sync pass failed'))
      .finally(() => {
        this.passing = undefined;
      });
    return this.passing;
  }

  private async startDueWork(): Promise<void> {
    const now = this.now();
    const connections = await this.deps.connections.list('REGISTERED');
    const states = new Map((await this.deps.state.list()).map((state) => [state._id, state]));
    for (const connection of connections) {
      if (this.stopping.signal.aborted || this.running.size >= this.settings.maxConcurrent) return;
      if (this.running.has(connection.id)) continue;
      const due: PullTarget[] = [];
      for (const target of pullTargets(connection, this.settings.modules)) {
        const state = states.get(pullStateId(connection.id, target.module));
        if (!state) await this.deps.state.ensure(connection.id, target.module, now);
        if (!state || isDue(state, now)) due.push(target);
      }
      if (due.length === 0) continue;
      const task = this.syncConnection(connection, due).finally(() => this.running.delete(connection.id));
      this.running.set(connection.id, task);
    }
  }

  /** A partner's due modules one after another: we never crawl one partner twice at once. */
  private async syncConnection(connection: Connection, targets: PullTarget[]): Promise<void> {
    for (const target of targets) {
      if (this.stopping.signal.aborted) return;
      try {
        await this.syncModule(connection, target);
      } catch (error) {
        this.logger.error({ err: error, connection_id: connection.id, module: target.module }, 'pull sync bookkeeping failed');
      }
    }
  }

  private async syncModule(connection: Connection, target: PullTarget): Promise<void> {
    const { settings, deps } = this;
    const { module } = target;
    const key = pullStateId(connection.id, module);
    const startedAt = this.now();
    const state = await deps.state.acquire(connection.id, module, this.instanceId, startedAt, settings.leaseMs);
    if (!state) return; // another dispatcher instance is crawling it
    const full =
      !state.lastFullAt ||
      state.fullRequestedAt !== undefined ||
      (settings.fullEveryMs !== undefined && state.lastFullAt.getTime() + settings.fullEveryMs <= startedAt.getTime());
    const dateFrom = !full && state.watermark ? new Date(state.watermark.getTime() - settings.overlapMs) : undefined;
    const log = this.logger.child({ connection_id: connection.id, module, mode: full ? 'full' : 'incremental' });
    const signal = this.stopping.signal;

    try {
      const token = await deps.connections.outboundToken(connection.id);
      if (!token) throw new AppError('FAILED_PRECONDITION', `connection ${connection.id} has no token to call the partner with`);
      const party = target.senderRoles[0];
      if (!party) throw new AppError('FAILED_PRECONDITION', `connection ${connection.id} has no party to attribute ${module} to`);
      const context: PullContext = { connectionId: connection.id, module, party: { countryCode: party.countryCode, partyId: party.partyId } };
      const request: Omit<PageRequest, 'url'> = {
        token,
        authMode: connection.authMode,
        correlationId: randomUUID(),
        signal,
        partner: connection.id,
        module,
        // 2.1.1 has no routing headers.
        ...(connection.version === '2.1.1'
          ? {}
          : {
              routing: {
                // TO only when it is unambiguous: with several parties a filter would hide the others.
                ...(target.senderRoles.length === 1 ? { toCountryCode: party.countryCode, toPartyId: party.partyId } : {}),
                ...(settings.ownParty ? { fromCountryCode: settings.ownParty.countryCode, fromPartyId: settings.ownParty.partyId } : {}),
              },
            }),
      };
      let renewedAt = startedAt.getTime();
      const summary = await crawl({
        fetchPage: (url) => deps.fetchPage({ ...request, url }),
        firstUrl: target.url,
        limit: settings.pageLimit,
        maxPages: settings.maxPages,
        signal,
        ...(dateFrom ? { dateFrom } : {}),
        sink: async (objects) => {
          await deps.sink(context, objects);
          const now = this.now();
          if (now.getTime() - renewedAt > settings.leaseMs / 3) {
            if (!(await deps.state.renew(connection.id, module, this.instanceId, now, settings.leaseMs))) throw new LeaseLostError(key);
            renewedAt = now.getTime();
          }
        },
      });

      const finishedAt = this.now();
      const runSummary: PullRunSummary = {
        mode: full ? 'full' : 'incremental',
        startedAt,
        finishedAt,
        pages: summary.pages,
        objects: summary.objects,
        stoppedBecause: summary.stoppedBecause,
        tolerated: summary.tolerated,
        ...(dateFrom ? { dateFrom } : {}),
        ...(summary.maxLastUpdated ? { maxLastUpdated: summary.maxLastUpdated } : {}),
      };
      const facts = { pages: summary.pages, objects: summary.objects, stopped_because: summary.stoppedBecause, tolerated: summary.tolerated, ms: finishedAt.getTime() - startedAt.getTime() };
      if (!crawlCompleted(summary)) {
        // Pages come in creation order, so a partial crawl says nothing about what changed: keep the watermark.
        await deps.state.failed(connection.id, module, this.instanceId, {
          at: finishedAt,
          startedAt,
          message: `crawl stopped at ${summary.pages} pages (${summary.stoppedBecause}) before the end`,
          nextRunAt: this.retryAt(state, finishedAt),
        });
        log.warn(facts, 'pull sync incomplete');
        return;
      }
      const watermark = safeWatermark(startedAt, summary.serverTimeAtStart);
      const recorded = await deps.state.succeeded(connection.id, module, this.instanceId, { summary: runSummary, watermark, nextRunAt: this.nextRunAt(finishedAt) });
      if (!recorded) log.warn(facts, 'pull sync finished after its lease was lost; not recorded');
      else if (summary.tolerated.length > 0 || summary.stoppedBecause === 'repeated-page') log.info(facts, 'pull sync done; absorbed partner deviations');
      else log.info(facts, 'pull sync done');
    } catch (error) {
      if (signal.aborted) {
        await deps.state.release(connection.id, module, this.instanceId, this.now());
        return;
      }
      if (error instanceof LeaseLostError) {
        log.warn({ err: error }, 'pull sync lease lost; another instance carries on');
        return;
      }
      const at = this.now();
      await deps.state.failed(connection.id, module, this.instanceId, {
        at,
        startedAt,
        message: error instanceof Error ? error.message : String(error),
        nextRunAt: this.retryAt(state, at),
      });
      log.warn({ err: error, failures: state.failures + 1 }, 'pull sync failed');
    }
  }

  private nextRunAt(from: Date): Date {
    return new Date(from.getTime() + this.settings.intervalMs + jitter(this.settings.intervalMs));
  }

  private retryAt(state: PullState, from: Date): Date {
    const delay = Math.min(this.settings.intervalMs, this.settings.retryBaseMs * 2 ** Math.min(state.failures, 20));
    return new Date(from.getTime() + delay + jitter(delay));
  }
}

/** Due by schedule, or asked for; not while another instance holds a live lease. */
export function isDue(state: PullState, now: Date): boolean {
  if (state.leaseUntil.getTime() > now.getTime()) return false;
  return state.requestedAt !== undefined || state.nextRunAt.getTime() <= now.getTime();
}

/**
 * The next `date_from` (before the overlap): the crawl's start, on the earlier of our clock and
 * the partner's. Not the newest `last_updated` seen: pages come in creation order, so an object
 * on an early page can change while later pages are read, with a `last_updated` older than the
 * newest seen. Every change after the crawl started is stamped at or after its start, on the
 * partner's clock; taking the earlier clock only widens the window.
 */
export function safeWatermark(startedAt: Date, serverTimeAtStart: Date | undefined): Date {
  return serverTimeAtStart && serverTimeAtStart.getTime() < startedAt.getTime() ? serverTimeAtStart : startedAt;
}

/** Up to a tenth of `ms`, so partners added together do not stay in lockstep. */
const jitter = (ms: number): number => Math.floor(Math.random() * ms * 0.1);
