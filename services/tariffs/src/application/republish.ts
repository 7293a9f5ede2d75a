import type { Logger } from '@voltmesh/telemetry';
import type { TariffStore } from '../adapters/tariff-store.js';
import type { TariffWriter } from './tariff-writer.js';

/**
 * Publishes the events of saves (deletions included) that never reached Kafka (the process
 * died, or Kafka failed, between the save and the publish). Runs on an interval; only saves
 * older than `graceMs` count; each is re-read under the writer's lock and published as it is now.
 */
export async function republishUnpublished(store: TariffStore, writer: TariffWriter, logger: Logger, graceMs: number): Promise<number> {
  const pending = await store.listUnpublished(new Date(Date.now() - graceMs), 500);
  for (const stored of pending) await writer.republish(stored);
  if (pending.length > 0) logger.warn({ republished: pending.length }, 'republished tariff changes whose events were missing');
  return pending.length;
}
