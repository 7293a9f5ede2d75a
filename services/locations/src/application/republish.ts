import type { Logger } from '@voltmesh/telemetry';
import type { LocationStore } from '../adapters/location-store.js';
import type { LocationWriter } from './location-writer.js';

/**
 * Publishes the events of saves that never reached Kafka (the process died, or Kafka failed,
 * between the save and the publish). Runs on an interval; only saves older than `graceMs`
 * count, so it does not race a writer that is about to publish.
 */
export async function republishUnpublished(store: LocationStore, writer: LocationWriter, logger: Logger, graceMs: number): Promise<number> {
  const pending = await store.listUnpublished(new Date(Date.now() - graceMs), 500);
  for (const stored of pending) await writer.publish(stored, undefined);
  if (pending.length > 0) logger.warn({ republished: pending.length }, 'republished location changes whose events were missing');
  return pending.length;
}
