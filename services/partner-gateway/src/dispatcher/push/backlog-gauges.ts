import { observeGauge, type Logger } from '@voltmesh/telemetry';
import type { PartnerBacklog } from './push-job.js';

const REFRESH_MS = 15_000;

/**
 * `dispatcher_backlog_jobs` and `dispatcher_oldest_undelivered_age_seconds` per partner, from
 * the outbox every 15 s (a scrape must not query Mongo). A partner whose backlog emptied is
 * reported at 0 rather than vanishing, so its panel and alerts see the recovery.
 */
export function reportBacklog(source: { backlog(): Promise<PartnerBacklog[]> }, logger: Logger): () => void {
  const latest = new Map<string, PartnerBacklog>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const refresh = async () => {
    try {
      const backlog = await source.backlog();
      const seen = new Set(backlog.map((entry) => entry.partnerId));
      for (const partnerId of latest.keys()) if (!seen.has(partnerId)) latest.set(partnerId, { partnerId, pending: 0 });
      for (const entry of backlog) latest.set(entry.partnerId, entry);
    } catch (error) {
      logger.warn({ err: error }, 'reading the push backlog failed');
    }
    if (!stopped) timer = setTimeout(() => void refresh(), REFRESH_MS).unref();
  };
  void refresh();
  const stopJobs = observeGauge('dispatcher_backlog_jobs', 'Objects with a state not yet delivered, per partner', '{job}', (result) => {
    for (const entry of latest.values()) result.observe(entry.pending, { partner: entry.partnerId });
  });
  const stopAge = observeGauge('dispatcher_oldest_undelivered_age_seconds', 'How long the longest-waiting undelivered object has waited, per partner', 's', (result) => {
    const now = Date.now();
    for (const entry of latest.values()) {
      result.observe(entry.oldestSince ? Math.max(0, (now - entry.oldestSince.getTime()) / 1000) : 0, { partner: entry.partnerId });
    }
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
    stopJobs();
    stopAge();
  };
}
