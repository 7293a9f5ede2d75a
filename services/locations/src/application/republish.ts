import type { Logger } from '@voltmesh/telemetry';
import type { LocationReadModel } from './read-model.js';
import type { LocationWriter } from './location-writer.js';

/**
 * Publishes the events of saves that never reached Kafka (the process died, or Kafka failed,
 * between the save and the publish). Runs on an interval; only saves older than `graceMs`
 * count; each is re-read under the writer's lock and published as it is now.
 */
export async function republishUnpublished(model: LocationReadModel, writer: LocationWriter, logger: Logger, graceMs: number): Promise<number> {
  const pending = model.unpublishedSince(graceMs, 500);
  for (const stored of pending) await writer.republish(stored);
  if (pending.length > 0) logger.warn({ republished: pending.length }, 'republished location changes whose events were missing');
  return pending.length;
}
