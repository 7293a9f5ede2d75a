import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type GaugeMetricData } from '@opentelemetry/sdk-metrics';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '@voltmesh/telemetry';
import { testInfra } from '@voltmesh/testing';
import { ConsumerProgress, createKafka, EventPublisher, runConsumer, type TopicSpec } from './index.js';

/** Reads the metrics on demand, as a Prometheus scrape does. */
class ScrapeReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const infra = testInfra();
const logger = createLogger('lag-int-test', 'silent');
const reader = new ScrapeReader();
const provider = new MeterProvider({ readers: [reader] });

before(() => metrics.setGlobalMeterProvider(provider));
after(() => provider.shutdown());

async function lagOf(groupId: string): Promise<number | undefined> {
  const { resourceMetrics } = await reader.collect();
  const gauge = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === 'kafka_consumer_lag') as GaugeMetricData | undefined;
  const point = gauge?.dataPoints.find((candidate) => candidate.attributes['consumer_group'] === groupId);
  return point?.value;
}

test('kafka_consumer_lag counts what a stuck consumer has not processed, read from the broker', async () => {
  const topic: TopicSpec = { name: infra.unique('lag'), partitions: 1, description: 'test' };
  const admin = new Kafka({ brokers: infra.kafkaBrokers, clientId: 'lag-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topic.name, numPartitions: 1 }] });
  await admin.disconnect();
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'lag-test' }, logger);
  const publisher = new EventPublisher(kafka, 'test');
  await publisher.connect();
  let release!: () => void;
  const stuck = new Promise<void>((resolve) => (release = resolve));
  const groupId = infra.unique('lag-group');
  const consumer = await runConsumer(kafka, { groupId, topics: [topic], publisher, logger, handle: () => stuck });
  try {
    for (let index = 0; index < 5; index += 1) await publisher.publish({ topic, key: `k${index}`, type: 'test.v1.Thing', value: Buffer.from('x') });
    // The first refresh comes a second after the consumer starts, then every 15 s.
    const deadline = Date.now() + 20_000;
    let lag: number | undefined;
    while (Date.now() < deadline && (lag === undefined || lag < 5)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      lag = await lagOf(groupId);
    }
    assert.equal(lag, 5, 'all five messages are behind: the first is in the stuck handler, uncommitted');
  } finally {
    release();
    await consumer.stop();
    await publisher.disconnect();
  }
});

test('ConsumerProgress: a group is behind until it has committed everything, then caught up', async () => {
  const topic: TopicSpec = { name: infra.unique('progress'), partitions: 2, description: 'test' };
  const admin = new Kafka({ brokers: infra.kafkaBrokers, clientId: 'progress-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topic.name, numPartitions: 2 }] });
  await admin.disconnect();
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'progress-test' }, logger);
  const publisher = new EventPublisher(kafka, 'test');
  await publisher.connect();
  const progress = new ConsumerProgress(kafka, 0);
  const groupId = infra.unique('progress-group');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let handled = 0;
  const consumer = await runConsumer(kafka, { groupId, topics: [topic], publisher, logger, handle: async () => {
    await held;
    handled += 1;
  } });
  try {
    for (let index = 0; index < 4; index += 1) await publisher.publish({ topic, key: `k${index}`, type: 'test.v1.Thing', value: Buffer.from('x') });
    assert.equal(await progress.behind(groupId, topic.name), true, 'behind while the handler holds the messages');
    release();
    const deadline = Date.now() + 20_000;
    let behind = true;
    while (Date.now() < deadline && behind) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      behind = await progress.behind(groupId, topic.name);
    }
    assert.equal(handled, 4, 'every message was handled');
    assert.equal(behind, false, 'caught up once every offset is committed');
  } finally {
    release();
    await consumer.stop();
    await progress.close();
    await publisher.disconnect();
  }
});
