/**
 * Creates every Kafka topic of the registry (`allTopics()`: the domain and ingress topics plus
 * one `<group>.dlq` per consumer group) that does not exist yet, and adds partitions to a topic
 * that has fewer than the registry says. Never deletes, never lowers anything. Services do not
 * create topics, so compose runs this once before them (with any service image):
 *
 *   KAFKA_BROKERS=kafka:9092 node --import tsx deploy/create-topics.ts
 *
 * TOPIC_REPLICATION_FACTOR (default 1, a single broker) applies to topics it creates.
 * Exits 0 when every topic is there with at least its partitions, 1 otherwise.
 */
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { allTopics, type TopicSpec } from '@voltmesh/kafka';

export interface TopicsReport {
  created: string[];
  grown: string[];
  unchanged: string[];
}

/** Makes the cluster hold `specs`; safe to run again and again. */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], replicationFactor: number): Promise<TopicsReport> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({ topic: spec.name, numPartitions: spec.partitions, replicationFactor })),
    });
  }
  const present = specs.filter((spec) => existing.has(spec.name));
  const grown: string[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
    const toGrow = present.filter((spec) => {
      const partitions = metadata.topics.find((topic) => topic.name === spec.name)?.partitions.length ?? 0;
      return partitions < spec.partitions;
    });
    if (toGrow.length > 0) {
      await admin.createPartitions({ topicPartitions: toGrow.map((spec) => ({ topic: spec.name, count: spec.partitions })) });
      grown.push(...toGrow.map((spec) => spec.name));
    }
  }
  return {
    created: missing.map((spec) => spec.name),
    grown,
    unchanged: present.map((spec) => spec.name).filter((name) => !grown.includes(name)),
  };
}

async function main(): Promise<void> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim()).filter(Boolean);
  const replicationFactor = Number.parseInt(process.env['TOPIC_REPLICATION_FACTOR'] ?? '1', 10);
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) throw new Error('TOPIC_REPLICATION_FACTOR must be a positive integer');
  const kafka = new Kafka({ clientId: 'voltmesh-create-topics', brokers, logLevel: logLevel.WARN, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const report = await ensureTopics(admin, allTopics(), replicationFactor);
    for (const name of report.created) console.log(`created ${name}`);
    for (const name of report.grown) console.log(`added partitions to ${name}`);
    console.log(`${report.created.length} created, ${report.grown.length} grown, ${report.unchanged.length} already there (${allTopics().length} topics)`);
  } finally {
    await admin.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error('creating topics failed:', error);
    process.exit(1);
  });
}
