import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createLogger } from '@voltmesh/telemetry';
import { testInfra } from '@voltmesh/testing';
import { createKafka, followTopic, topicPositions, type TopicSpec } from './index.js';

const infra = testInfra();
const logger = createLogger('follower-int-test', 'silent');
const raw = new Kafka({ brokers: infra.kafkaBrokers, clientId: 'follower-int-test', logLevel: logLevel.NOTHING });
const admin = raw.admin();
const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'follower-test' }, logger);

async function waitUntil(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function newTopic(prefix: string, partitions: number): Promise<TopicSpec> {
  const name = infra.unique(prefix);
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions }] });
  return { name, partitions, description: 'test' };
}

async function connectedProducer(): Promise<Producer> {
  const producer = raw.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

const send = (producer: Producer, topic: TopicSpec, partition: number, body: string) =>
  producer.send({ topic: topic.name, acks: -1, messages: [{ partition, value: Buffer.from(body) }] });

describe('followTopic: a view follows its topic from positions taken before its snapshot', () => {
  let producer: Producer;
  before(async () => {
    await admin.connect();
    producer = await connectedProducer();
  });
  after(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  test('gets exactly what was published after the positions, also before its group joined; skips what it cannot apply', async () => {
    const topic = await newTopic('follow', 1);
    await send(producer, topic, 0, 'A');
    const from = await topicPositions(kafka, topic);
    assert.deepEqual([...from], [[0, '1']], 'the end of the one partition, after A');
    // Published between the snapshot and the join: what a follower from the end never sees.
    for (const body of ['B', 'poison', 'C']) await send(producer, topic, 0, body);

    const applied: string[] = [];
    const attempted: string[] = [];
    const follower = await followTopic(kafka, {
      topic,
      name: infra.unique('follower'),
      from,
      logger,
      handle: (value) => {
        const body = value.toString();
        attempted.push(body);
        if (body === 'poison') throw new Error('cannot decode');
        applied.push(body);
      },
    });
    try {
      await waitUntil(() => applied.includes('C'), 'C is applied');
      await send(producer, topic, 0, 'D');
      await waitUntil(() => applied.includes('D'), 'D, published after the join, is applied');
      assert.deepEqual(applied, ['B', 'C', 'D'], 'everything after the positions, once and in order, and nothing before them');
      assert.deepEqual(attempted, ['B', 'poison', 'C', 'D'], 'the event it could not apply was tried once and skipped');
    } finally {
      await follower.stop();
    }
  });

  test('a partition empty when the positions were taken, and one created after them, deliver what comes later', async () => {
    const topic = await newTopic('follow-empty', 2);
    await send(producer, topic, 0, 'A');
    const from = await topicPositions(kafka, topic);
    assert.deepEqual(
      [...from].sort(([left], [right]) => left - right),
      [
        [0, '1'],
        [1, '0'],
      ],
      'partition 0 ends after A, partition 1 is empty',
    );
    await send(producer, topic, 1, 'B');
    await send(producer, topic, 0, 'C');
    await admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: 3 }] });
    // A fresh producer, so its metadata knows the new partition.
    const late = await connectedProducer();
    try {
      await send(late, topic, 2, 'D');
    } finally {
      await late.disconnect();
    }

    const applied: string[] = [];
    const follower = await followTopic(kafka, { topic, name: infra.unique('follower'), from, logger, handle: (value) => void applied.push(value.toString()) });
    try {
      await waitUntil(() => applied.length >= 3, 'B, C and D are applied');
      await send(producer, topic, 1, 'E');
      await waitUntil(() => applied.includes('E'), 'E, published to the once empty partition after the join, is applied');
      assert.deepEqual([...applied].sort(), ['B', 'C', 'D', 'E'], 'the empty and the new partition deliver from their start; nothing before the positions');
    } finally {
      await follower.stop();
    }
  });
});
