import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@voltmesh/kafka';
import { commands } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandWatchers } from '../application/command-watchers.js';

/** How long start-up waits for the follower to own its partitions before going on without. */
const JOIN_WAIT_MS = 15_000;

/**
 * Feeds this replica's WatchCommand streams with every replica's saves: reads
 * sessions.command.v1 (our own output) in a consumer group of its own, from the end. Watchers
 * keep the highest revision, so our own events and late ones change nothing. A feed, not a
 * store: an event it cannot read is logged and skipped. Resolves once the group is joined (it
 * reads from the end, so a change made before would be missed), or after JOIN_WAIT_MS.
 */
export async function followCommandChanges(kafka: Kafka, watchers: CommandWatchers, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `sessions.command-watch.${randomUUID()}`, allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  const joined = new Promise<boolean>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve(true));
    timer = setTimeout(() => resolve(false), JOIN_WAIT_MS);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.command.name], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const command = commands.CommandChanged.decode(message.value ?? Buffer.alloc(0)).command;
          if (command?.id) watchers.notify(command);
        } catch (error) {
          logger.warn({ err: error, offset: message.offset }, 'command follower skipped an unreadable CommandChanged');
        }
      },
    });
    if (!(await joined)) logger.warn({ wait_ms: JOIN_WAIT_MS }, "command follower has not joined its group yet; watches see other replicas' changes once it has");
  } finally {
    clearTimeout(timer);
  }
  return { stop: () => consumer.disconnect() };
}
