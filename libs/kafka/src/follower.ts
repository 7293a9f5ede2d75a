import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '@voltmesh/telemetry';
import { groupConsumer } from './consumer.js';
import type { TopicSpec } from './topics.js';

/** Where a topic ended at one moment: partition → offset of the next message it will get. */
export type TopicPositions = ReadonlyMap<number, string>;

/**
 * The current end of every partition of `topic`. Take it BEFORE loading the snapshot a
 * follower completes (a store read, a cache fill): everything published after it is then
 * either in the snapshot or delivered by `followTopic(…, { from })`.
 */
export async function topicPositions(kafka: Kafka, topic: TopicSpec): Promise<TopicPositions> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic.name);
    return new Map(offsets.map(({ partition, high }) => [partition, high]));
  } finally {
    await admin.disconnect();
  }
}

export interface TopicFollowerOptions {
  topic: TopicSpec;
  /** Names the follower in its group id (`<name>.<uuid>`) and logs, e.g. `locations.read-model`. */
  name: string;
  /** Where to start: taken by `topicPositions` before the snapshot was loaded. */
  from: TopicPositions;
  /** Applies one event's value; a throw is logged and the event skipped. */
  handle(value: Buffer): void | Promise<void>;
  logger: Logger;
}

/**
 * Feeds an in-memory view (a read model, a cache, watch streams) with every event on `topic`
 * from `from` on, in a consumer group of its own (`<name>.<uuid>`), so nothing published
 * between the snapshot and the group join is missed. Events already in the snapshot are
 * replayed: harmless only because every view keeps the highest revision (or the newest
 * `last_updated`) and ignores the rest. Partitions created after `from` was taken start at
 * their beginning. A feed, not a store: an event `handle` cannot apply is logged and skipped.
 *
 * Why seeks on every GROUP_JOIN: kafkajs keeps seeks in its group instance and applies them
 * on the first fetch of an assigned partition (`consumerGroup.seekOffsets`); a crash restart
 * builds a new instance without them. Seeking each partition to the next unhandled offset on
 * every join (GROUP_JOIN is emitted before fetching starts) resumes exactly where this
 * follower was, whatever kafkajs committed. Resolves once the group is joined (`run` waits for
 * it; the broker's initial rebalance delay is 0) or kafkajs has scheduled a retry.
 */
export async function followTopic(kafka: Kafka, options: TopicFollowerOptions): Promise<{ stop(): Promise<void> }> {
  const { topic, name, handle, logger } = options;
  const next = new Map<number, bigint>([...options.from].map(([partition, offset]) => [partition, BigInt(offset)]));
  const consumer = groupConsumer(kafka, `${name}.${randomUUID()}`);
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const [partition, offset] of next) consumer.seek({ topic: topic.name, partition, offset: offset.toString() });
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        try {
          await handle(message.value ?? Buffer.alloc(0));
        } catch (error) {
          logger.warn({ err: error, topic: topic.name, partition, offset: message.offset }, `${name} follower skipped an event it cannot apply`);
        }
        const after = BigInt(message.offset) + 1n;
        if (after > (next.get(partition) ?? -1n)) next.set(partition, after);
      },
    });
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return { stop: () => consumer.disconnect() };
}
