import { Kafka, logLevel } from 'kafkajs';
import { groupConsumer, type TopicSpec } from '@voltmesh/kafka';
import { sleep } from './infra/processes.js';

export interface CollectedEvent {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface EventCollector {
  readonly events: CollectedEvent[];
  /** Resolves with the first collected event that matches, waiting up to `timeoutMs`. */
  next(match: (event: CollectedEvent) => boolean, timeoutMs?: number): Promise<CollectedEvent>;
  stop(): Promise<void>;
}

/**
 * Reads a topic from its end in a consumer group of its own, keeping every event, so a test
 * can assert what a service published (and what it did not).
 */
export async function collectEvents(brokers: string[], topic: TopicSpec, groupId: string): Promise<EventCollector> {
  const kafka = new Kafka({ brokers, clientId: groupId, logLevel: logLevel.NOTHING });
  const consumer = groupConsumer(kafka, groupId);
  const events: CollectedEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic.name], fromBeginning: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = value.toString();
      events.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), headers });
    },
  });
  // Events published before the group owns its partitions would be missed (it starts at the end).
  await until(() => joined, 30_000, 'the event collector to join its group');
  return {
    events,
    async next(match, timeoutMs = 15_000) {
      let found: CollectedEvent | undefined;
      await until(() => (found = events.find(match)) !== undefined, timeoutMs, `an event on ${topic.name}`);
      return found as CollectedEvent;
    },
    stop: () => consumer.disconnect(),
  };
}

async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
