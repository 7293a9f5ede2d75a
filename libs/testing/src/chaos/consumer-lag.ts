import { Kafka, logLevel } from 'kafkajs';

export interface GroupLag {
  group: string;
  topic: string;
  /** Messages behind the log end, summed over the topic's partitions. */
  lag: number;
}

/**
 * The lag of every consumer group the broker knows (committed offset against the log end, per
 * topic), read with the kafkajs admin API. A group with no committed offset on a partition
 * counts from the partition's start: a group that never committed is as stuck as one that stopped.
 */
export async function readConsumerLag(brokers: string[], groupFilter: (group: string) => boolean = () => true): Promise<GroupLag[]> {
  const admin = new Kafka({ brokers, clientId: 'voltmesh-chaos-lag', logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const lags: GroupLag[] = [];
    const ends = new Map<string, { partition: number; high: string; low: string }[]>();
    for (const { groupId } of groups.filter((group) => groupFilter(group.groupId))) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        if (!ends.has(topic)) ends.set(topic, await admin.fetchTopicOffsets(topic));
        let lag = 0;
        for (const end of ends.get(topic)!) {
          const committed = Number(partitions.find((entry) => entry.partition === end.partition)?.offset ?? '-1');
          lag += Math.max(0, Number(end.high) - (committed >= 0 ? committed : Number(end.low)));
        }
        lags.push({ group: groupId, topic, lag });
      }
    }
    return lags;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Messages in every dead-letter topic (`*.dlq`): each one is an event some consumer gave up on. */
export async function readDeadLetters(brokers: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ brokers, clientId: 'voltmesh-chaos-dlq', logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    const counts: Record<string, number> = {};
    for (const topic of (await admin.listTopics()).filter((name) => name.endsWith('.dlq'))) {
      const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
      if (total > 0) counts[topic] = total;
    }
    return counts;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
