import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '@voltmesh/telemetry';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Retries of a failed request before the caller sees the error (default 8, about 20 s). */
  retries?: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client that logs through our JSON logger instead of its own console output. */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // Waits between retries are capped at 5 s (kafkajs: 30 s): a consumer that crashed while the
    // broker was away restarts after the last wait, so this bounds how long after the broker's
    // return a group resumes (the chaos suite saw 30 s restarts after a Kafka restart).
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: settings.retries ?? 8 },
    // kafkajs ERROR lines during coordinator start-up are retried internally; keep them as warn.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLogger[LEVELS[level] === 'error' ? 'warn' : (LEVELS[level] ?? 'info')](rest, message);
      },
  });
}
