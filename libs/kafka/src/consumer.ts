import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, Kafka } from 'kafkajs';
import { toAppError } from '@voltmesh/errors';
import { durationHistogram, secondsSince, type Logger } from '@voltmesh/telemetry';
import { readEventMeta, readHeaders, type EventMeta } from './headers.js';
import type { EventPublisher } from './publisher.js';
import { watchConsumerLag } from './lag.js';
import { dlqTopicName, type TopicSpec } from './topics.js';

export interface ConsumedEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  meta: EventMeta;
}

export interface ConsumerOptions {
  groupId: string;
  topics: TopicSpec[];
  /** Must be idempotent: the same event may arrive twice (at-least-once). */
  handle: (event: ConsumedEvent) => Promise<void>;
  /** Used to move poison messages to `<groupId>.dlq`. */
  publisher: EventPublisher;
  logger: Logger;
  maxBackoffMs?: number;
  /** Partitions handled in parallel (order is kept within each partition); default 1. */
  partitionsConsumedConcurrently?: number;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

const tracer = trace.getTracer('@voltmesh/kafka');

/** What every process span says (messaging semantic conventions); shared with the batch consumer. */
export function processSpanAttributes(topic: string, groupId: string): Record<string, string> {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': topic,
    'messaging.consumer.group.name': groupId,
  };
}

/**
 * The longest wait between two tries of a message whose handler failed retryably: short enough
 * that a group resumes within seconds once what it waited for (Kafka, MongoDB, a service) is back.
 */
export const MAX_BACKOFF_MS = 10_000;

/**
 * How long the broker waits for a silent member before giving its partitions to the others
 * (kafkajs: 30 s). A process killed with -9, or every member after a broker restart, holds its
 * partitions for this long: 15 s halves the pause, with heartbeats every 3 s.
 */
const SESSION_TIMEOUT_MS = 15_000;

/**
 * How long an idle fetch waits at the broker for new messages (kafkajs: 5 s). Stopping a
 * consumer waits for the fetch in flight, so this bounds every graceful stop (a rollout, each
 * test's mesh); data is returned as soon as there is any, so latency does not depend on it.
 */
const MAX_FETCH_WAIT_MS = 1_000;

/** A consumer in `groupId` with the mesh's settings (every consumer of ours is made here). */
export function groupConsumer(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 3_000, maxWaitTimeInMs: MAX_FETCH_WAIT_MS });
}

/** Shared with the batch consumer: one histogram of handling time per group, topic and outcome. */
export const processDuration = durationHistogram(
  'kafka_consumer_process_duration_seconds',
  'Handling of consumed messages (a batch for batch consumers): ok, retry (a retryable failure, tried again) or dlq',
);

/**
 * Runs a consumer group. Per message: retryable failures (AppError UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED) are retried with capped exponential backoff and jitter, never skipped;
 * any other failure sends the message to the group's DLQ with the error so the partition moves
 * on. Offsets are committed only after the handler or the DLQ write succeeded.
 */
export async function runConsumer(kafka: Kafka, options: ConsumerOptions): Promise<RunningConsumer> {
  const logger = options.logger.child({ group: options.groupId });
  const consumer = groupConsumer(kafka, options.groupId);
  const maxBackoffMs = options.maxBackoffMs ?? MAX_BACKOFF_MS;
  let stopping = false;

  await consumer.connect();
  await consumer.subscribe({ topics: options.topics.map((topic) => topic.name), fromBeginning: true });
  const unwatchLag = watchConsumerLag(kafka, options.groupId, options.topics.map((topic) => topic.name), logger);
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachMessage: async ({ topic, partition, message, heartbeat }) => {
      const headers = readHeaders(message.headers);
      const event: ConsumedEvent = {
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        meta: readEventMeta(headers),
      };
      const parent = propagation.extract(context.active(), headers);
      await tracer.startActiveSpan(
        `${topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: { ...processSpanAttributes(topic, options.groupId), 'messaging.message.id': event.meta.id },
        },
        parent,
        async (span) => {
          try {
            for (let attempt = 0; ; attempt += 1) {
              const startedAt = performance.now();
              const outcome = (name: 'ok' | 'retry' | 'dlq') =>
                processDuration.record(secondsSince(startedAt), { consumer_group: options.groupId, topic, outcome: name });
              try {
                await options.handle(event);
                outcome('ok');
                return;
              } catch (thrown) {
                const error = toAppError(thrown);
                outcome(error.retryable ? 'retry' : 'dlq');
                if (!error.retryable) {
                  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
                  logger.error({ err: error, topic, partition, offset: event.offset }, 'moving message to DLQ');
                  await options.publisher.forward(dlqTopicName(options.groupId), message.key, message.value, {
                    ...headers,
                    'dlq-error': error.message,
                    'dlq-error-code': error.code,
                    'dlq-topic': topic,
                    'dlq-partition': String(partition),
                    'dlq-offset': event.offset,
                  });
                  return;
                }
                // Throwing while stopping leaves the offset uncommitted: the next owner retries.
                if (stopping) throw error;
                const delay = Math.min(maxBackoffMs, 100 * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
                logger.warn({ err: error, attempt, delay_ms: Math.round(delay) }, 'retrying message');
                await new Promise((resolve) => setTimeout(resolve, delay));
                // A long retry must not get this member thrown out of the group.
                await heartbeat().catch(() => undefined);
              }
            }
          } finally {
            span.end();
          }
        },
      );
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
