import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@voltmesh/kafka';
import { sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { SessionWatchers } from '../application/session-watchers.js';

/** How long start-up waits for the follower to own its partitions before going on without. */
const JOIN_WAIT_MS = 15_000;

/**
 * Feeds this replica's WatchSessions streams with every replica's saves: reads
 * sessions.session.v1 (our own output) in a consumer group of its own, from the end. Streams keep
 * the highest revision per session, so our own events and late ones change nothing. A feed, not
 * a store: an event it cannot read is logged and skipped. Resolves once the group is joined, or
 * after JOIN_WAIT_MS.
 */
export async function followSessionChanges(kafka: Kafka, watchers: SessionWatchers, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `sessions.session-watch.${randomUUID()}`, allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  const joined = new Promise<boolean>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve(true));
    timer = setTimeout(() => resolve(false), JOIN_WAIT_MS);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.session.name], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const session = sessions.SessionChanged.decode(message.value ?? Buffer.alloc(0)).session;
          if (session?.id) watchers.notify(session);
        } catch (error) {
          logger.warn({ err: error, offset: message.offset }, 'session follower skipped an unreadable SessionChanged');
        }
      },
    });
    if (!(await joined)) logger.warn({ wait_ms: JOIN_WAIT_MS }, "session follower has not joined its group yet; watches see other replicas' changes once it has");
  } finally {
    clearTimeout(timer);
  }
  return { stop: () => consumer.disconnect() };
}
