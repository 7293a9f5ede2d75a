import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runBatchConsumer, Topics, type EventPublisher } from '@voltmesh/kafka';
import { sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { SessionCdrIssuer } from '../application/issue-session-cdrs.js';

/**
 * Turns completed sessions of our CPO (sessions.session.v1, group billing.sessions) into CDRs, a
 * fetched batch at a time and several partitions in parallel: one batch is priced concurrently
 * and stored with one unordered insert, which is what makes hundreds of CDRs a second possible
 * on FerretDB. A message that can never become a CDR goes to billing.sessions.dlq.
 */
export function consumeSessions(kafka: Kafka, issuer: SessionCdrIssuer, publisher: EventPublisher, logger: Logger, partitions: number): Promise<{ stop(): Promise<void> }> {
  return runBatchConsumer(kafka, {
    groupId: ConsumerGroups.billingSessions,
    topics: [Topics.session],
    publisher,
    logger,
    partitionsConsumedConcurrently: partitions,
    handleBatch: async (events, heartbeat) => {
      const decoded = events.map((event) => {
        try {
          const session = sessions.SessionChanged.decode(event.value).session;
          if (!session) throw new Error('no session');
          return session;
        } catch (error) {
          throw invalidArgument(`undecodable SessionChanged at ${event.topic}/${event.partition}@${event.offset}: ${String(error)}`);
        }
      });
      await issuer.issue(decoded, heartbeat);
    },
  });
}
