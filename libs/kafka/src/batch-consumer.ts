import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { toAppError, type AppError } from '@voltmesh/errors';
import type { Logger } from '@voltmesh/telemetry';
import type { ConsumedEvent } from './consumer.js';
import { readEventMeta, readHeaders } from './headers.js';
import type { EventPublisher } from './publisher.js';
import { dlqTopicName, type TopicSpec } from './topics.js';

export interface BatchConsumerOptions {
  groupId: string;
  topics: TopicSpec[];
  /**
   * Handles the events of one fetched batch of one partition, in log order. Must be
   * idempotent (a batch may be handled again after a failure or a restart). A long batch
   * calls `heartbeat` now and then so the member is not thrown out of its group.
   */
  handleBatch: (events: ConsumedEvent[], heartbeat: () => Promise<void>) => Promise<void>;
  publisher: EventPublisher;
  logger: Logger;
  maxBackoffMs?: number;
  partitionsConsumedConcurrently?: number;
}

/**
 * A consumer group that hands whole batches to the handler, so it can do one write for many
 * events (e.g. several updates of one object). Same guarantees as `runConsumer`: a retryable
 * failure retries the batch with capped backoff; any other failure replays the batch one event
 * at a time so only the poison event goes to `<group>.dlq`; offsets are committed only after
 * the batch (or the DLQ write) succeeded.
 */
export async function runBatchConsumer(kafka: Kafka, options: BatchConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const logger = options.logger.child({ group: options.groupId });
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let stopping = false;

  /** Runs until it succeeds (undefined) or fails for good (the error); retryable failures wait and retry. */
  const withRetries = async (what: () => Promise<void>, heartbeat: () => Promise<void>): Promise<AppError | undefined> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await what();
        return undefined;
      } catch (thrown) {
        const error = toAppError(thrown);
        if (!error.retryable) return error;
        if (stopping) throw error;
        const delay = Math.min(maxBackoffMs, 100 * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
        logger.warn({ err: error, attempt, delay_ms: Math.round(delay) }, 'retrying batch');
        await new Promise((resolve) => setTimeout(resolve, delay));
        await heartbeat().catch(() => undefined);
      }
    }
  };

  await consumer.connect();
  await consumer.subscribe({ topics: options.topics.map((topic) => topic.name), fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const events = batch.messages.map((message) => toEvent(batch.topic, batch.partition, message));
      // A failed heartbeat (e.g. a rebalance starting) must never count as the handler failing.
      const beat = () => heartbeat().catch(() => undefined);
      if (await withRetries(() => options.handleBatch(events, beat), heartbeat)) {
        // Find the poison event(s): one at a time, each retried or sent to the DLQ on its own.
        for (const [index, event] of events.entries()) {
          const error = await withRetries(() => options.handleBatch([event], beat), heartbeat);
          if (error) {
            const message = batch.messages[index]!;
            logger.error({ err: error, topic: batch.topic, partition: batch.partition, offset: event.offset }, 'moving message to DLQ');
            await options.publisher.forward(dlqTopicName(options.groupId), message.key, message.value, {
              ...readHeaders(message.headers),
              'dlq-error': error.message,
              'dlq-error-code': error.code,
              'dlq-topic': batch.topic,
              'dlq-partition': String(batch.partition),
              'dlq-offset': event.offset,
            });
          }
          resolveOffset(event.offset);
        }
      } else {
        resolveOffset(batch.messages.at(-1)!.offset);
      }
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });

  return {
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}

function toEvent(topic: string, partition: number, message: KafkaMessage): ConsumedEvent {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? '',
    value: message.value ?? Buffer.alloc(0),
    meta: readEventMeta(readHeaders(message.headers)),
  };
}
