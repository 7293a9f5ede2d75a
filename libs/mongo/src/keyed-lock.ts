/**
 * Runs tasks one at a time per key, in call order, within this process.
 *
 * Why: FerretDB 1.24 on SQLite does not make a conditional update atomic against a concurrent
 * one (probed: of 8 racing `updateOne({_id, rev})` several "won"). Writers of one object in one
 * process therefore take turns; across processes on MongoDB, the conditional update still
 * decides. Keys are dropped once idle, so memory follows the objects in flight.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /**
   * Runs a task holding every key's turn (each key once, taken in sorted order, so two callers
   * of `runAll` cannot deadlock; holders of one key never wait for another).
   */
  async runAll<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const hold = (index: number): Promise<T> => (index === sorted.length ? task() : this.run(sorted[index]!, () => hold(index + 1)));
    return hold(0);
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
