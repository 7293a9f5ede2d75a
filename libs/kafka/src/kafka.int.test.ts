import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { unavailable, invalidArgument } from '@voltmesh/errors';
import { createLogger } from '@voltmesh/telemetry';
import { testInfra } from '@voltmesh/testing';
import { createKafka, dlqTopicName, EventHeader, EventPublisher, runBatchConsumer, runConsumer, type ConsumedEvent, type TopicSpec } from './index.js';

const infra = testInfra();
const logger = createLogger('kafka-int-test', 'silent');
const raw = new Kafka({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-test', logLevel: logLevel.NOTHING });
const admin = raw.admin();

interface BrokerRequestLog {
  requestHeader: { requestApiKeyName: string };
  request: { acks?: number; topicData?: { name: string }[] };
}

const spec = (name: string): TopicSpec => ({ name, partitions: 3, description: 'test' });

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function committedOffsets(groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
}

describe('libs/kafka against a real Kafka broker', () => {
  before(() => admin.connect());
  after(() => admin.disconnect());

  test('publishes with acks=all: the broker logs the produce request with acks=-1', async () => {
    const topic = infra.unique('acks');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    const publisher = new EventPublisher(createKafka({ brokers: infra.kafkaBrokers, clientId: 'acks-test' }, logger), 'test');
    await publisher.connect();
    try {
      await publisher.publish({ topic: spec(topic), key: 'k', type: 'test.v1.Thing', value: Buffer.from('x') });
    } finally {
      await publisher.disconnect();
    }
    // The test run's broker logs every request it handled, with its body (kafka.request.logger).
    const produceRequests = () =>
      readFileSync(join(infra.stateDir, 'kafka', 'requests.log'), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('Completed request:'))
        .map((line) => JSON.parse(line.slice('Completed request:'.length)) as BrokerRequestLog)
        .filter((entry) => entry.requestHeader.requestApiKeyName === 'PRODUCE' && entry.request.topicData?.some((data) => data.name === topic));
    await waitUntil(() => produceRequests().length > 0);
    for (const entry of produceRequests()) assert.equal(entry.request.acks, -1);
  });

  test('a consumer group receives events with their headers, in key order, and commits after handling', async () => {
    const topic = infra.unique('events');
    const groupId = infra.unique('group');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }, { topic: dlqTopicName(groupId), numPartitions: 1 }] });
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'group-test' }, logger);
    const publisher = new EventPublisher(kafka, 'test-source');
    await publisher.connect();
    const published = [];
    for (let index = 0; index < 5; index += 1) {
      published.push(
        await publisher.publish({ topic: spec(topic), key: 'NL*VLT*LOC1', type: 'test.v1.Counter', value: Buffer.from(String(index)), partner: 'p1', correlationId: 'c1' }),
      );
    }
    // Published concurrently, folded into batches: still in call order for one key.
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => publisher.publish({ topic: spec(topic), key: 'NL*VLT*LOC2', type: 'test.v1.Counter', value: Buffer.from(String(index)) })),
    );

    const seen: ConsumedEvent[] = [];
    const consumer = await runConsumer(kafka, { groupId, topics: [spec(topic)], publisher, logger, handle: async (event) => void seen.push(event) });
    try {
      await waitUntil(() => seen.length === 45);
      const ofKey = (key: string) => seen.filter((event) => event.key === key);
      assert.deepEqual(ofKey('NL*VLT*LOC1').map((event) => event.value.toString()), ['0', '1', '2', '3', '4']);
      assert.deepEqual(ofKey('NL*VLT*LOC2').map((event) => event.value.toString()), Array.from({ length: 40 }, (_, index) => String(index)));
      assert.equal(new Set(ofKey('NL*VLT*LOC1').map((event) => event.partition)).size, 1, 'one key stays on one partition');
      const first = ofKey('NL*VLT*LOC1')[0]!;
      assert.equal(first.meta.id, published[0]!.id);
      assert.match(first.meta.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(first.meta.type, 'test.v1.Counter');
      assert.equal(first.meta.source, 'test-source');
      assert.equal(first.meta.partner, 'p1');
      assert.equal(first.meta.correlationId, 'c1');
      assert.ok(!Number.isNaN(Date.parse(first.meta.time)), '!Number.isNaN(Date.parse(first.meta.time))');
      await waitUntil(async () => (await committedOffsets(groupId, topic)) === 45);
    } finally {
      await consumer.stop();
      await publisher.disconnect();
    }
  });

  test('batch mode: the handler gets whole batches; a poison event is isolated to the DLQ and the rest are handled', async () => {
    const topic = infra.unique('batches');
    const groupId = infra.unique('batch_group');
    const dlq = dlqTopicName(groupId);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }, { topic: dlq, numPartitions: 1 }] });
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'batch-test' }, logger);
    const publisher = new EventPublisher(kafka, 'test');
    await publisher.connect();
    await Promise.all(['a', 'b', 'poison', 'c', 'd'].map((body) => publisher.publish({ topic: spec(topic), key: 'k', type: 'test.v1.Body', value: Buffer.from(body) })));

    const handled: string[] = [];
    let largest = 0;
    const consumer = await runBatchConsumer(kafka, {
      groupId,
      topics: [spec(topic)],
      publisher,
      logger,
      maxBackoffMs: 50,
      handleBatch: async (events) => {
        const bodies = events.map((event) => event.value.toString());
        if (bodies.includes('poison')) throw invalidArgument('cannot decode');
        largest = Math.max(largest, events.length);
        handled.push(...bodies);
      },
    });
    const dead: string[] = [];
    const dlqReader = raw.consumer({ groupId: infra.unique('batch_dlq_reader') });
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: dlq, fromBeginning: true });
    await dlqReader.run({ eachMessage: async ({ message }) => void dead.push(message.value?.toString() ?? '') });
    try {
      await waitUntil(() => handled.length === 4 && dead.length === 1);
      assert.deepEqual(handled, ['a', 'b', 'c', 'd'], 'every good event once, in order');
      assert.deepEqual(dead, ['poison']);
      await waitUntil(async () => (await committedOffsets(groupId, topic)) === 5);
    } finally {
      await dlqReader.disconnect();
      await consumer.stop();
      await publisher.disconnect();
    }
  });

  test('retryable failures are retried until they pass; other failures go to the DLQ with the error and the partition moves on', async () => {
    const topic = infra.unique('flaky');
    const groupId = infra.unique('flaky_group');
    const dlq = dlqTopicName(groupId);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }, { topic: dlq, numPartitions: 1 }] });
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'flaky-test' }, logger);
    const publisher = new EventPublisher(kafka, 'test');
    await publisher.connect();
    for (const body of ['flaky', 'poison', 'fine']) {
      await publisher.publish({ topic: spec(topic), key: 'same-key', type: 'test.v1.Body', value: Buffer.from(body) });
    }

    let flakyAttempts = 0;
    const handled: string[] = [];
    const consumer = await runConsumer(kafka, {
      groupId,
      topics: [spec(topic)],
      publisher,
      logger,
      maxBackoffMs: 50,
      handle: async (event) => {
        const body = event.value.toString();
        if (body === 'flaky' && ++flakyAttempts < 3) throw unavailable('database briefly down');
        if (body === 'poison') throw invalidArgument('cannot decode');
        handled.push(body);
      },
    });

    const dlqMessages: { value: string; headers: Record<string, string> }[] = [];
    const dlqReader = raw.consumer({ groupId: infra.unique('dlq_reader') });
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: dlq, fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        dlqMessages.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    try {
      await waitUntil(() => handled.length === 2 && dlqMessages.length === 1);
      assert.deepEqual(handled, ['flaky', 'fine']);
      assert.equal(flakyAttempts, 3);
      const dead = dlqMessages[0]!;
      assert.equal(dead.value, 'poison');
      assert.equal(dead.headers['dlq-error'], 'cannot decode');
      assert.equal(dead.headers['dlq-error-code'], 'INVALID_ARGUMENT');
      assert.equal(dead.headers['dlq-topic'], topic);
      assert.ok(dead.headers[EventHeader.id], 'the original event headers travel with it');
      await waitUntil(async () => (await committedOffsets(groupId, topic)) === 3);
    } finally {
      await dlqReader.disconnect();
      await consumer.stop();
      await publisher.disconnect();
    }
  });
});
