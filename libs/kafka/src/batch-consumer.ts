import { context, propagation, SpanKind, trace, type Link } from '@opentelemetry/api';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { toAppError, type AppError } from '@voltmesh/errors';
import { secondsSince, type Logger } from '@voltmesh/telemetry';
import { groupConsumer, MAX_BACKOFF_MS, processDuration, processSpanAttributes, type ConsumedEvent } from './consumer.js';
import { readEventMeta, readHeaders } from './headers.js';
import { watchConsumerLag } from './lag.js';
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
  const consumer = groupConsumer(kafka, options.groupId);
  const maxBackoffMs = options.maxBackoffMs ?? MAX_BACKOFF_MS;
  let stopping = false;

  /** Runs until it succeeds (undefined) or fails for good (the error); retryable failures wait and retry. */
  const withRetries = async (topic: string, what: () => Promise<void>, heartbeat: () => Promise<void>): Promise<AppError | undefined> => {
    for (let attempt = 0; ; attempt += 1) {
      const startedAt = performance.now();
      const outcome = (name: 'ok' | 'retry' | 'dlq') =>
        processDuration.record(secondsSince(startedAt), { consumer_group: options.groupId, topic, outcome: name });
      try {
        await what();
        outcome('ok');
        return undefined;
      } catch (thrown) {
        const error = toAppError(thrown);
        outcome(error.retryable ? 'retry' : 'dlq');
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
  const unwatchLag = watchConsumerLag(kafka, options.groupId, options.topics.map((topic) => topic.name), logger);
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const { topic, partition, messages } = batch;
      const events = messages.map((message) => toEvent(topic, partition, message));
      // A failed heartbeat (e.g. a rebalance starting) must never count as the handler failing.
      const beat = () => heartbeat().catch(() => undefined);
      const handleAll = async (): Promise<void> => {
        if (!(await withRetries(topic, () => options.handleBatch(events, beat), heartbeat))) {
          resolveOffset(messages.at(-1)!.offset);
          return;
        }
        // Find the poison event(s): one at a time, each retried or sent to the DLQ on its own.
        for (const [index, event] of events.entries()) {
          const error = await withRetries(topic, () => options.handleBatch([event], beat), heartbeat);
          if (error) {
            const message = messages[index]!;
            logger.error({ err: error, topic, partition, offset: event.offset }, 'moving message to DLQ');
            await options.publisher.forward(dlqTopicName(options.groupId), message.key, message.value, {
              ...readHeaders(message.headers),
              'dlq-error': error.message,
              'dlq-error-code': error.code,
              'dlq-topic': topic,
              'dlq-partition': String(partition),
              'dlq-offset': event.offset,
            });
          }
          resolveOffset(event.offset);
        }
      };
      // One process span per batch (messaging conventions): a child of the message's send when
      // the batch holds one message, otherwise linked to each message's send.
      const single = messages.length === 1 ? propagation.extract(context.active(), readHeaders(messages[0]!.headers)) : context.active();
      const span = tracer.startSpan(`${topic} process`, {
        kind: SpanKind.CONSUMER,
        attributes: { ...processSpanAttributes(topic, options.groupId), 'messaging.batch.message_count': events.length },
        links: messages.length === 1 ? [] : messages.slice(0, MAX_LINKS).flatMap((message) => linkTo(message)),
      }, single);
      try {
        await context.with(trace.setSpan(single, span), handleAll);
      } finally {
        span.end();
      }
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });

  return {
    async stop() {
      stopping = true;
      unwatchLag();
      await consumer.disconnect();
    },
  };
}

const tracer = trace.getTracer('@voltmesh/kafka');
/** Links kept per batch span; a full batch can hold thousands of messages. */
const MAX_LINKS = 128;

function linkTo(message: KafkaMessage): Link[] {
  const linked = trace.getSpanContext(propagation.extract(context.active(), readHeaders(message.headers)));
  return linked ? [{ context: linked }] : [];
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
