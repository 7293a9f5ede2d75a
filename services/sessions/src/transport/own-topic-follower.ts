import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics, type TopicSpec } from '@voltmesh/kafka';
import { commands, sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandWatchers } from '../application/command-watchers.js';
import type { SessionWatchers } from '../application/session-watchers.js';

/** How long start-up waits for a follower to own its partitions before going on without. */
const JOIN_WAIT_MS = 15_000;

interface FollowedTopic<T> {
  topic: TopicSpec;
  /** Names the follower in its group id and logs, e.g. `command`. */
  name: string;
  /** The object of one event, or undefined to skip it. */
  decode(value: Buffer): T | undefined;
  notify(object: T): void;
}

/**
 * Feeds this replica's watch streams with every replica's saves: reads one of our own output
 * topics in a consumer group of its own, from the end. Watchers keep the highest revision, so
 * our own events and late ones change nothing. A feed, not a store: an event it cannot read is
 * logged and skipped. Resolves once the group is joined (it reads from the end, so a change
 * made before would be missed), or after JOIN_WAIT_MS.
 */
async function followOwnTopic<T>(kafka: Kafka, followed: FollowedTopic<T>, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `sessions.${followed.name}-watch.${randomUUID()}`, allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  const joined = new Promise<boolean>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve(true));
    timer = setTimeout(() => resolve(false), JOIN_WAIT_MS);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [followed.topic.name], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const object = followed.decode(message.value ?? Buffer.alloc(0));
          if (object) followed.notify(object);
        } catch (error) {
          logger.warn({ err: error, offset: message.offset, topic: followed.topic.name }, `${followed.name} follower skipped an unreadable event`);
        }
      },
    });
    if (!(await joined)) logger.warn({ wait_ms: JOIN_WAIT_MS }, `${followed.name} follower has not joined its group yet; watches see other replicas' changes once it has`);
  } finally {
    clearTimeout(timer);
  }
  return { stop: () => consumer.disconnect() };
}

/** WatchCommand's feed: sessions.command.v1. */
export const followCommandChanges = (kafka: Kafka, watchers: CommandWatchers, logger: Logger) =>
  followOwnTopic(
    kafka,
    {
      topic: Topics.command,
      name: 'command',
      decode: (value) => {
        const command = commands.CommandChanged.decode(value).command;
        return command?.id ? command : undefined;
      },
      notify: (command) => watchers.notify(command),
    },
    logger,
  );

/** WatchSessions' feed: sessions.session.v1. */
export const followSessionChanges = (kafka: Kafka, watchers: SessionWatchers, logger: Logger) =>
  followOwnTopic(
    kafka,
    {
      topic: Topics.session,
      name: 'session',
      decode: (value) => {
        const session = sessions.SessionChanged.decode(value).session;
        return session?.id ? session : undefined;
      },
      notify: (session) => watchers.notify(session),
    },
    logger,
  );
