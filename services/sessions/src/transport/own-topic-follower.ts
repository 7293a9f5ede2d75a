import type { Kafka } from 'kafkajs';
import { followTopic, Topics, type TopicPositions, type TopicSpec } from '@voltmesh/kafka';
import { commands, sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandWatchers } from '../application/command-watchers.js';
import type { SessionWatchers } from '../application/session-watchers.js';

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
 * topics in a consumer group of its own, from `from` (the topic's end taken at start-up,
 * before any watch is served, so a watch misses nothing published before the group join).
 * Watchers keep the highest revision, so our own events, replayed and late ones change
 * nothing. A feed, not a store: an event it cannot read is logged and skipped.
 */
function followOwnTopic<T>(kafka: Kafka, followed: FollowedTopic<T>, from: TopicPositions, logger: Logger): Promise<{ stop(): Promise<void> }> {
  return followTopic(kafka, {
    topic: followed.topic,
    name: `sessions.${followed.name}-watch`,
    from,
    logger,
    handle: (value) => {
      const object = followed.decode(value);
      if (object) followed.notify(object);
    },
  });
}

/** WatchCommand's feed: sessions.command.v1. */
export const followCommandChanges = (kafka: Kafka, watchers: CommandWatchers, from: TopicPositions, logger: Logger) =>
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
    from,
    logger,
  );

/** WatchSessions' feed: sessions.session.v1. */
export const followSessionChanges = (kafka: Kafka, watchers: SessionWatchers, from: TopicPositions, logger: Logger) =>
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
    from,
    logger,
  );
