import type { Admin, Kafka } from 'kafkajs';
import { observeGauge, type Logger } from '@voltmesh/telemetry';

const REFRESH_MS = 15_000;
const FIRST_REFRESH_MS = 1_000;

interface Watch {
  groupId: string;
  kafka: Kafka;
  topics: string[];
  logger: Logger;
}

/**
 * Consumer lag per group and topic (messages behind the log end, summed over partitions), read
 * from the broker's committed offsets every 15 s rather than from the consumer's own batches:
 * a stuck consumer fetches nothing, and its lag must still grow. One process may run the same
 * group twice (tests start replicas in one process): each run is its own watch.
 */
class LagWatcher {
  private readonly watches = new Map<number, Watch>();
  private readonly lag = new Map<string, { group: string; topic: string; value: number }>();
  private readonly admins = new Map<Kafka, Admin>();
  private nextId = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopGauge: (() => void) | undefined;
  /** The refresh in flight: a client is closed only after it, or a retrying request reopens a socket. */
  private refreshing: Promise<void> | undefined;

  watch(watch: Watch): () => void {
    const id = this.nextId++;
    this.watches.set(id, watch);
    this.stopGauge ??= observeGauge('kafka_consumer_lag', 'Messages not yet consumed, per consumer group and topic', '{message}', (result) => {
      for (const entry of this.lag.values()) result.observe(entry.value, { consumer_group: entry.group, topic: entry.topic });
    });
    if (!this.timer) {
      const tick = () => {
        void this.refresh().finally(() => {
          if (this.watches.size > 0) this.timer = setTimeout(tick, REFRESH_MS).unref();
        });
      };
      this.timer = setTimeout(tick, FIRST_REFRESH_MS).unref();
    }
    return () => void this.unwatch(id);
  }

  private watched(predicate: (watch: Watch) => boolean): boolean {
    return [...this.watches.values()].some(predicate);
  }

  private async unwatch(id: number): Promise<void> {
    const watch = this.watches.get(id);
    if (!watch) return;
    this.watches.delete(id);
    if (!this.watched((other) => other.groupId === watch.groupId)) {
      for (const [key, entry] of this.lag) if (entry.group === watch.groupId) this.lag.delete(key);
    }
    if (!this.watched((other) => other.kafka === watch.kafka)) {
      await this.refreshing;
      const admin = this.admins.get(watch.kafka);
      this.admins.delete(watch.kafka);
      await admin?.disconnect().catch(() => undefined);
    }
    if (this.watches.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.stopGauge?.();
      this.stopGauge = undefined;
    }
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.readAll().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async readAll(): Promise<void> {
    // One read per group, whichever of its watches (they share the broker's answer).
    const groups = new Map<string, Watch>();
    for (const watch of this.watches.values()) if (!groups.has(watch.groupId)) groups.set(watch.groupId, watch);
    for (const [groupId, watch] of groups) {
      if (!this.watched((other) => other.groupId === groupId)) continue;
      try {
        const admin = await this.adminFor(watch.kafka);
        for (const topic of watch.topics) {
          const lag = await groupLag(admin, groupId, topic);
          if (this.watched((other) => other.groupId === groupId)) this.lag.set(`${groupId}|${topic}`, { group: groupId, topic, value: lag });
        }
      } catch (error) {
        // The gauge keeps its last value; the consumer itself reports a broker outage.
        watch.logger.debug({ err: error, group: groupId }, 'reading consumer lag failed');
      }
    }
  }

  private async adminFor(kafka: Kafka): Promise<Admin> {
    const known = this.admins.get(kafka);
    if (known) return known;
    // Few retries: a lag reading is not worth holding up a shutdown while the broker is away.
    const admin = kafka.admin({ retry: { retries: 1 } });
    await admin.connect();
    // Every consumer of this client may have stopped while we connected: an admin kept now
    // would never be closed (and would keep the process alive).
    if (!this.watched((watch) => watch.kafka === kafka)) {
      await admin.disconnect().catch(() => undefined);
      throw new Error('no consumer of this client is watched any more');
    }
    this.admins.set(kafka, admin);
    return admin;
  }
}

/**
 * Messages of `topic` that `groupId` has not committed yet, summed over its partitions (a
 * partition the group never committed counts from the log start).
 */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  let lag = 0;
  for (const end of ends) {
    const offset = Number(committed?.partitions.find((entry) => entry.partition === end.partition)?.offset ?? '-1');
    lag += Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
  }
  return lag;
}

/**
 * Whether a consumer group has processed everything on a topic, asked on a rare path (a
 * partner's PATCH of an object the owning service does not know): while the group is behind,
 * the object may be in a write still on its way. Answers are kept `cacheMs`; one admin
 * connection, opened on first use. A broker that cannot answer counts as behind.
 */
export class ConsumerProgress {
  private admin: Promise<Admin> | undefined;
  private readonly answers = new Map<string, { at: number; behind: boolean }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly cacheMs = 1_000,
  ) {}

  async behind(groupId: string, topic: string): Promise<boolean> {
    const key = `${groupId}|${topic}`;
    const known = this.answers.get(key);
    if (known && Date.now() - known.at < this.cacheMs) return known.behind;
    let behind = true;
    try {
      this.admin ??= this.connect();
      behind = (await groupLag(await this.admin, groupId, topic)) > 0;
    } catch {
      // Unknown: the caller answers "retry", which is right while the broker is away.
    }
    this.answers.set(key, { at: Date.now(), behind });
    return behind;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect().catch(() => undefined);
  }

  private async connect(): Promise<Admin> {
    const admin = this.kafka.admin({ retry: { retries: 1 } });
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      this.admin = undefined;
      throw error;
    }
  }
}

const watcher = new LagWatcher();

/** Reports `kafka_consumer_lag` for the group's topics until the returned function is called. */
export function watchConsumerLag(kafka: Kafka, groupId: string, topics: string[], logger: Logger): () => void {
  return watcher.watch({ groupId, kafka, topics, logger });
}
