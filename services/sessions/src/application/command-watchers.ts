import { AppError, unavailable } from '@voltmesh/errors';
import type { commands } from '@voltmesh/proto';

export interface CommandWatcher {
  /** A state of the command (any revision: the watcher keeps the order). */
  changed(command: commands.Command): void;
  /** The process is stopping: the watcher ends its stream. */
  closed(): void;
}

/**
 * Who watches which command in this replica (WatchCommand streams), fed by this replica's own
 * saves and by the follower of sessions.command.v1 (every replica's saves). Bounded: a watch
 * beyond `max` is refused rather than letting streams pile up.
 */
export class CommandWatchers {
  private readonly byId = new Map<string, Set<CommandWatcher>>();
  private count = 0;
  private closed = false;

  constructor(private readonly max: number) {}

  /** Returns the unsubscribe function. */
  subscribe(id: string, watcher: CommandWatcher): () => void {
    if (this.closed) throw unavailable('the sessions service is stopping: watch again');
    if (this.count >= this.max) throw new AppError('RESOURCE_EXHAUSTED', `too many open WatchCommand streams (${this.max})`);
    const watchers = this.byId.get(id) ?? new Set<CommandWatcher>();
    watchers.add(watcher);
    this.byId.set(id, watchers);
    this.count += 1;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.count -= 1;
      watchers.delete(watcher);
      if (watchers.size === 0 && this.byId.get(id) === watchers) this.byId.delete(id);
    };
  }

  notify(command: commands.Command): void {
    for (const watcher of [...(this.byId.get(command.id) ?? [])]) watcher.changed(command);
  }

  /** Ends every stream, and refuses new ones from now on. */
  closeAll(): void {
    this.closed = true;
    for (const watchers of [...this.byId.values()]) for (const watcher of [...watchers]) watcher.closed();
  }

  get size(): number {
    return this.count;
  }
}
