import { AppError, unavailable } from '@voltmesh/errors';
import type { sessions } from '@voltmesh/proto';
import { sessionKey } from '../domain/session.js';

/** What a WatchSessions stream asks for: a driver contract, one session, or both at once. */
export interface SessionFilter {
  /** Upper case. */
  contractId?: string | undefined;
  /** `CC*PID*ID` of the session. */
  key?: string | undefined;
}

export interface SessionWatcher {
  /** A state of a matching session (any revision: the watcher keeps the order). */
  changed(session: sessions.Session): void;
  /** The process is stopping: the watcher ends its stream. */
  closed(): void;
}

interface Entry {
  filter: SessionFilter;
  watcher: SessionWatcher;
}

/** Whether a session matches a watch filter. */
export function matchesFilter(filter: SessionFilter, session: sessions.Session): boolean {
  if (filter.key && session.cpo && sessionKey(session.cpo, session.id) !== filter.key) return false;
  if (filter.contractId && session.contractId.toUpperCase() !== filter.contractId) return false;
  return true;
}

/**
 * Who watches which sessions in this replica (WatchSessions streams), fed by this replica's own
 * saves and by the follower of sessions.session.v1 (every replica's saves). A watch is filed
 * under its session when it names one, else under its contract, so a change is matched against
 * its own watchers only. Bounded: a watch beyond `max` is refused.
 */
export class SessionWatchers {
  private readonly byKey = new Map<string, Set<Entry>>();
  private readonly byContract = new Map<string, Set<Entry>>();
  private count = 0;
  private closed = false;

  constructor(private readonly max: number) {}

  /** Returns the unsubscribe function. */
  subscribe(filter: SessionFilter, watcher: SessionWatcher): () => void {
    if (this.closed) throw unavailable('the sessions service is stopping: watch again');
    if (this.count >= this.max) throw new AppError('RESOURCE_EXHAUSTED', `too many open WatchSessions streams (${this.max})`);
    const [index, name] = filter.key ? [this.byKey, filter.key] : [this.byContract, filter.contractId ?? ''];
    const entries = index.get(name) ?? new Set<Entry>();
    const entry: Entry = { filter, watcher };
    entries.add(entry);
    index.set(name, entries);
    this.count += 1;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.count -= 1;
      entries.delete(entry);
      if (entries.size === 0 && index.get(name) === entries) index.delete(name);
    };
  }

  notify(session: sessions.Session): void {
    if (!session.cpo) return;
    const candidates = [...(this.byKey.get(sessionKey(session.cpo, session.id)) ?? []), ...(this.byContract.get(session.contractId.toUpperCase()) ?? [])];
    for (const entry of candidates) if (matchesFilter(entry.filter, session)) entry.watcher.changed(session);
  }

  /** Ends every stream, and refuses new ones from now on. */
  closeAll(): void {
    this.closed = true;
    for (const index of [this.byKey, this.byContract]) for (const entries of [...index.values()]) for (const entry of [...entries]) entry.watcher.closed();
  }

  get size(): number {
    return this.count;
  }
}
