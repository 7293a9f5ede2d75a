import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { allTopics } from '@voltmesh/kafka';
import { cachePaths, repoRoot } from './paths.js';
import { runningPid, spawnLogged, stopPidFile, waitFor } from './processes.js';

export interface KafkaServerOptions {
  /** Folder for data, config, log and pid; kept between runs unless removed. */
  dir: string;
  port: number;
  controllerPort: number;
  /**
   * Log every request the broker handles, with its body, to `<dir>/requests.log` (Kafka's
   * `kafka.request.logger` at TRACE). Test runs use it to see what clients really sent, e.g. acks.
   */
  requestLog?: boolean;
}

export interface KafkaServer {
  brokers: string[];
  pid: number;
  stop(): Promise<void>;
}

/**
 * One-node Apache Kafka in KRaft mode (broker and controller in one JVM), from the jars that
 * infra/install.sh fetched with Maven. Internal topics get replication factor 1 and min ISR 1,
 * without which consumer groups and transactions never become available on a single node.
 */
function serverProperties(options: KafkaServerOptions, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${options.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Topics come from the registry in libs/kafka, never from a typo in a producer.
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

function log4j2(dir: string, requestLog: boolean): string {
  const requests = requestLog
    ? `
    File:
      name: REQUESTS
      fileName: "${join(dir, 'requests.log')}"
      PatternLayout:
        pattern: "%m%n"`
    : '';
  const requestLogger = requestLog
    ? `
      - name: kafka.request.logger
        level: TRACE
        additivity: false
        AppenderRef:
          - ref: REQUESTS`
    : '';
  return `Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"${requests}
  Loggers:
    Logger:
      - name: kafka
        level: WARN
      - name: org.apache.kafka
        level: WARN${requestLogger}
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
`;
}

export async function startKafka(options: KafkaServerOptions): Promise<KafkaServer> {
  const { kafkaLibs } = cachePaths();
  if (!existsSync(kafkaLibs)) throw new Error(`Kafka jars missing in ${kafkaLibs}: run infra/install.sh (make install)`);
  const dataDir = join(options.dir, 'data');
  const pidFile = join(options.dir, 'kafka.pid');
  const logFile = join(options.dir, 'kafka.log');
  const brokers = [`127.0.0.1:${options.port}`];
  mkdirSync(dataDir, { recursive: true });

  let pid = runningPid(pidFile);
  if (pid === undefined) {
    const config = join(options.dir, 'server.properties');
    writeFileSync(config, serverProperties(options, dataDir));
    writeFileSync(join(options.dir, 'log4j2.yaml'), log4j2(options.dir, options.requestLog ?? false));
    const classpath = `${kafkaLibs}/*`;
    const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${join(options.dir, 'log4j2.yaml')}`, '-cp', classpath];
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      const clusterId = execFileSync('java', [...jvm, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim();
      execFileSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config], { stdio: 'ignore' });
    }
    pid = spawnLogged({
      name: 'kafka',
      command: 'java',
      args: [...jvm, 'kafka.Kafka', config],
      cwd: repoRoot(),
      env: process.env,
      logFile,
      pidFile,
    }).pid;
  }

  await waitFor(`Kafka on ${brokers[0]}`, () => clusterReady(brokers), 60_000, logFile);
  await createTopics(brokers);
  return { brokers, pid, stop: async () => void (await stopKafka(options.dir)) };
}

async function clusterReady(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({ brokers, clientId: 'voltmesh-infra', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Creates every topic of the registry in libs/kafka that does not exist yet. */
export async function createTopics(brokers: string[]): Promise<string[]> {
  const admin = new Kafka({ brokers, clientId: 'voltmesh-infra', logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = allTopics().filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions, replicationFactor: 1 })),
      });
    }
    return missing.map((topic) => topic.name);
  } finally {
    await admin.disconnect();
  }
}

/** Stops a Kafka started with `startKafka` in `dir`, from any process (`make down`). */
export async function stopKafka(dir: string): Promise<boolean> {
  return stopPidFile(join(dir, 'kafka.pid'), 20_000);
}
