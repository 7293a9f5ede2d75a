import type { Kafka } from 'kafkajs';
import { followTopic, Topics, type TopicPositions } from '@voltmesh/kafka';
import { tokens } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { TokenCache } from '../application/token-cache.js';
import { fromProto } from '../application/token-proto.js';

/**
 * Keeps this replica's token cache current with the writes of every replica: reads
 * authorization.token.v1 (our own output) in a consumer group of its own, from `from` (the
 * topic's end taken before the cache read anything from the store, so a change published
 * before the group join is not missed), and applies each announced state; the cache keeps
 * the newest by last_updated, so its own events, replayed and late ones change nothing. A
 * cache, so an event it cannot read is logged and skipped.
 */
export function followTokenChanges(kafka: Kafka, cache: TokenCache, from: TopicPositions, logger: Logger): Promise<{ stop(): Promise<void> }> {
  return followTopic(kafka, {
    topic: Topics.token,
    name: 'authorization.token-cache',
    from,
    logger,
    handle: (value) => {
      const announced = tokens.TokenChanged.decode(value).token;
      if (announced) cache.apply(fromProto(announced));
    },
  });
}
