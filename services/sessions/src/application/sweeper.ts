import type { Logger } from '@voltmesh/telemetry';
import type { DueEntry, DueList } from '../adapters/due-list.js';

/** Entries visited per round; the rest wait for the next round (a bound, not a limit on work). */
const BATCH = 500;

export interface Sweeper {
  /** One round now (tests, and the interval). Resolves with the number of entries visited. */
  sweepOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Visits due entries every `intervalMs` (rounds never overlap; a failing entry is logged and
 * the round goes on). Several replicas may sweep the same entries: every visit is a
 * compare-and-set transition that changes nothing the second time.
 */
export function startSweeper(name: string, due: DueList, visit: (entry: DueEntry) => Promise<void>, intervalMs: number, logger: Logger): Sweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  const sweepOnce = async (): Promise<number> => {
    const entries = await due.listDue(new Date(), BATCH);
    for (const entry of entries) {
      if (stopped) break;
      await visit(entry).catch((error: unknown) => logger.warn({ err: error, sweeper: name, id: entry.id }, 'sweeping an entry failed; retried next round'));
    }
    return entries.length;
  };

  const round = (): void => {
    running = sweepOnce()
      .catch((error: unknown) => {
        logger.warn({ err: error, sweeper: name }, 'sweep round failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(round, intervalMs);
      });
  };
  timer = setTimeout(round, intervalMs);

  return {
    sweepOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
