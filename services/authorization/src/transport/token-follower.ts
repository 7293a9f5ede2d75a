import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@voltmesh/kafka';
import { tokens } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { TokenCache } from '../application/token-cache.js';
import { fromProto } from '../application/token-proto.js';

/** How long start-up waits for the follower to own its partitions before serving anyway. */
const JOIN_TIMEOUT_MS = 30_000;

/**
 * Keeps this replica's token cache current with the writes of every replica: reads
 * authorization.token.v1 (our own output) in a consumer group of its own, from the end, and
 * applies each announced state; the cache keeps the newest by last_updated, so its own events
 * and late ones change nothing. A cache, so an event it cannot read is logged and skipped.
 *
 * Resolves once the group is joined: it starts at the end of the topic, so a change made
 * before the join would never reach this replica's cache (until its refresh).
 */
export async function followTokenChanges(kafka: Kafka, cache: TokenCache, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `authorization.token-cache.${randomUUID()}`, allowAutoTopicCreation: false });
  let joined: () => void = () => undefined;
  const join = new Promise<void>((resolve) => (joined = resolve));
  const removeListener = consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.token.name], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      try {
        const announced = tokens.TokenChanged.decode(message.value ?? Buffer.alloc(0)).token;
        if (announced) cache.apply(fromProto(announced));
      } catch (error) {
        logger.warn({ err: error, offset: message.offset }, 'token cache skipped an unreadable TokenChanged');
      }
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), JOIN_TIMEOUT_MS)));
  if (await Promise.race([join.then(() => false), timedOut])) logger.warn({ timeout_ms: JOIN_TIMEOUT_MS }, 'token cache follower has not joined its group yet; serving anyway');
  clearTimeout(timer);
  removeListener();
  return { stop: () => consumer.disconnect() };
}
