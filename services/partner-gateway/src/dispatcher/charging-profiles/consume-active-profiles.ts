import type { Kafka } from 'kafkajs';
import { ConsumerGroups, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { chargingProfileService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { PartnerDirectory } from '../partner-directory.js';
import { decodeEvent } from '../own-changes/decode-event.js';
import type { PushEngine } from '../push/index.js';
import { activeProfilePush } from './active-profile-push.js';

export interface ActiveProfilesDeps {
  kafka: Kafka;
  engine: Pick<PushEngine, 'enqueue'>;
  directory: Pick<PartnerDirectory, 'get'>;
  publisher: EventPublisher;
  logger: Logger;
}

/**
 * ActiveChargingProfiles our CSMS reported for sessions whose eMSP set a profile
 * (sessions.active-profile.v1, ActiveProfileChanged) become push jobs to that eMSP. The
 * offset is committed once the job is in the durable outbox; a malformed event goes to the
 * group's DLQ; an eMSP no longer registered, or without the endpoint, gets nothing (logged).
 */
export function consumeActiveProfiles(deps: ActiveProfilesDeps): Promise<RunningConsumer> {
  return runConsumer(deps.kafka, {
    groupId: ConsumerGroups.dispatcherActiveProfiles,
    topics: [Topics.activeProfile],
    publisher: deps.publisher,
    logger: deps.logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      const change = decodeEvent(() => chargingProfileService.ActiveProfileChanged.decode(event.value), event, 'ActiveProfileChanged');
      const job = activeProfilePush(change, deps.directory.get(change.connectionId), event.meta.correlationId ?? event.meta.id);
      if ('skipped' in job) {
        deps.logger.warn({ partner: change.connectionId, session_id: change.sessionId, reason: job.skipped }, 'active charging profile not pushed');
        return;
      }
      await deps.engine.enqueue(job);
    },
  });
}
