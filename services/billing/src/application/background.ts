import type { Logger } from '@voltmesh/telemetry';

export interface Background {
  /** One round now (tests). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Runs `round` every `intervalMs` (rounds never overlap; a failing round is logged and the next
 * one comes). Used for the republisher and the reconciliation sweeper.
 */
export function every(name: string, intervalMs: number, round: () => Promise<number>, logger: Logger): Background {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;
  const tick = (): void => {
    running = round()
      .catch((error: unknown) => {
        logger.warn({ err: error, task: name }, 'background round failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    runOnce: round,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
