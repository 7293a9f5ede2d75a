import type { Logger } from '@voltmesh/telemetry';
import type { LocationReadModel } from './read-model.js';
import type { LocationWriter } from './location-writer.js';

/**
 * Publishes the events of saves that never reached Kafka (the process died, or Kafka failed,
 * between the save and the publish). Runs on an interval; only saves older than `graceMs`
 * count, so it does not race a writer that is about to publish.
 */
export async function republishUnpublished(model: LocationReadModel, writer: LocationWriter, logger: Logger, graceMs: number): Promise<number> {
  const pending = model.unpublishedSince(graceMs, 500);
  for (const stored of pending) await writer.publish(stored, undefined);
  if (pending.length > 0) logger.warn({ republished: pending.length }, 'republished location changes whose events were missing');
  return pending.length;
}
