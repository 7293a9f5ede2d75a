import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Kafka, Producer } from 'kafkajs';
import { unavailable } from '@voltmesh/errors';
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
  partition: number;
  offset: string;
}

const tracer = trace.getTracer('@voltmesh/kafka');

/**
 * Publishes events with `acks=all` on an idempotent producer: a resolved `publish` means the
 * broker has the event on every in-sync replica, so the caller may acknowledge its own client.
 */
export class EventPublisher {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly source: string,
  ) {
    // One request in flight keeps per-key order even across producer retries.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
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
        try {
          const [result] = await this.producer.send({
            topic: event.topic.name,
            acks: -1,
            messages: [{ key: event.key, value: Buffer.from(event.value), headers }],
          });
          if (!result) throw new Error('broker returned no record metadata');
          return { id, partition: result.partition, offset: result.baseOffset ?? '' };
        } catch (error) {
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
    await this.producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  }
}
