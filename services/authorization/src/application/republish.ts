import type { Logger } from '@voltmesh/telemetry';
import type { TokenStore } from '../adapters/token-store.js';
import { tokenKey } from '../domain/stored-token.js';
import type { TokenWriter } from './token-writer.js';

/**
 * Publishes the events of saves that never reached Kafka (the process died, or Kafka failed,
 * between the save and the publish). Runs on an interval; only saves older than `graceMs`
 * count; each is re-read under the writer's lock and published as it is now.
 */
export async function republishUnpublished(store: TokenStore, writer: TokenWriter, logger: Logger, graceMs: number): Promise<number> {
  const pending = await store.listUnpublished(new Date(Date.now() - graceMs), 500);
  for (const stored of pending) await writer.republish(tokenKey(stored.token));
  if (pending.length > 0) logger.warn({ republished: pending.length }, 'republished token changes whose events were missing');
  return pending.length;
}
