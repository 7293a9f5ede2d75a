/**
 * A counting semaphore, first come first served, that can be closed: waiters then get false.
 * Bounds the calls in flight across all partners.
 */
export class InFlightLimit {
  private available: number;
  private readonly waiters: Array<(granted: boolean) => void> = [];
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('InFlightLimit size must be a positive integer');
    this.available = size;
  }

  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.available > 0) {
      this.available -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(true);
    else this.available += 1;
  }


  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }
}
