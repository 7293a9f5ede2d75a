import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Kafka, Message, Producer } from 'kafkajs';
import { unavailable } from '@voltmesh/errors';
import { durationHistogram, secondsSince } from '@voltmesh/telemetry';
import { EventHeader } from './headers.js';
import type { TopicSpec } from './topics.js';
import { uuidv7 } from './uuidv7.js';

export interface EventToPublish {
  topic: TopicSpec;
  /** The object's identity, e.g. `NL*VLT*LOC1`, so its events stay ordered on one partition. */
  key: string;
  /** Protobuf message type, e.g. `voltmesh.gateway.v1.PartnerConnectionChanged`. */
  type: string;
  value: Uint8Array;
  partner?: string;
  correlationId?: string;
}

export interface PublishedEvent {
  id: string;
}

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** From publish() to the broker's acks=all answer (batching included). */
const publishDuration = durationHistogram('kafka_producer_publish_duration_seconds', 'Events published, until every in-sync replica has them');

/** Most messages folded into one produce request. */
const MAX_BATCH = 500;

/**
 * The longest a `publish` waits for the broker. kafkajs retries a produce for a minute or more
 * while the broker is away; a caller holding a partner's HTTP request (or a gRPC deadline)
 * must be told UNAVAILABLE long before that (the chaos suite: with Kafka killed, partner writes
 * got no answer within 60 s). The message stays queued and may still be written after the
 * deadline: a caller that reports failure must be fine with the event arriving anyway (ours
 * are: partners retry, consumers are idempotent).
 */
export const PUBLISH_DEADLINE_MS = 10_000;

const tracer = trace.getTracer('@voltmesh/kafka');

/**
 * Publishes events with `acks=all` on an idempotent producer: a resolved `publish` means the
 * broker has the event on every in-sync replica, so the caller may acknowledge its own client.
 *
 * Concurrent publishes are folded into one produce request (micro-batching): with one request
 * in flight (which keeps per-key order across producer retries), throughput then grows with
 * concurrency instead of being one round trip per event. Order of calls is order on the log.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    kafka: Kafka,
    private readonly source: string,
    private readonly deadlineMs: number = PUBLISH_DEADLINE_MS,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async disconnect(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.producer.disconnect();
  }

  async publish(event: EventToPublish): Promise<PublishedEvent> {
    const id = uuidv7();
    return tracer.startActiveSpan(
      `${event.topic.name} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': event.topic.name,
          'messaging.message.id': id,
          ...(event.partner ? { 'voltmesh.partner': event.partner } : {}),
        },
      },
      async (span) => {
        const headers: Record<string, string> = {
          [EventHeader.id]: id,
          [EventHeader.type]: event.type,
          [EventHeader.source]: this.source,
          [EventHeader.time]: new Date().toISOString(),
        };
        if (event.partner) headers[EventHeader.partner] = event.partner;
        if (event.correlationId) headers[EventHeader.correlationId] = event.correlationId;
        propagation.inject(context.active(), headers);
        const startedAt = performance.now();
        try {
          await this.withinDeadline(this.enqueue(event.topic.name, { key: event.key, value: Buffer.from(event.value), headers }));
          publishDuration.record(secondsSince(startedAt), { topic: event.topic.name, outcome: 'ok' });
          return { id };
        } catch (error) {
          publishDuration.record(secondsSince(startedAt), { topic: event.topic.name, outcome: 'error' });
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw unavailable(`could not publish to ${event.topic.name}`, error);
        } finally {
          span.end();
        }
      },
    );
  }

  /** Re-publishes an already-formed message unchanged except for extra headers (DLQ). */
  async forward(topic: string, key: Buffer | string | null, value: Buffer | null, headers: Record<string, string>): Promise<void> {
    await this.enqueue(topic, { key, value, headers });
  }

  private withinDeadline(acknowledged: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no acknowledgement from Kafka within ${this.deadlineMs} ms`)), this.deadlineMs);
    });
    // A late failure of the abandoned send must not become an unhandled rejection.
    acknowledged.catch(() => undefined);
    return Promise.race([acknowledged, expired]).finally(() => clearTimeout(timer));
  }

  private enqueue(topic: string, message: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, message, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Everything published in this turn of the event loop goes in the first request.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const byTopic = new Map<string, Message[]>();
      for (const pending of batch) {
        const messages = byTopic.get(pending.topic) ?? [];
        messages.push(pending.message);
        byTopic.set(pending.topic, messages);
      }
      try {
        await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.flushing = false;
  }
}
