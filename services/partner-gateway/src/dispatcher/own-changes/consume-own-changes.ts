import type { Kafka } from 'kafkajs';
import { ConsumerGroups, runBatchConsumer, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { locationSchema, parseJsonField, tariffSchema, tokenSchema } from '@voltmesh/ocpi';
import { locations, objects, tariffs, tokens } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { PartnerDirectory } from '../partner-directory.js';
import { decodeEvent } from './decode-event.js';
import type { PushEngine } from '../push/index.js';
import { locationObjectKey, locationPush, newestLocationChanges } from './location-pushes.js';
import { pushTargets } from './push-targets.js';
import { tariffPush } from './tariff-pushes.js';
import { tokenPush } from './token-pushes.js';
import { pushForVersion, sameBody } from './push-211.js';
import { locationTo211 } from '../../edge/v2_1_1/locations.js';
import { tariffTo211 } from '../../edge/v2_1_1/tariffs.js';
import { tokenTo211 } from '../../edge/v2_1_1/tokens.js';
import type { PushJob } from '../push/index.js';

export interface OwnChangesDeps {
  kafka: Kafka;
  engine: Pick<PushEngine, 'enqueue' | 'hasPending'>;
  directory: Pick<PartnerDirectory, 'registered'>;
  publisher: EventPublisher;
  logger: Logger;
}

/**
 * Our own location, tariff and token changes, from the domain topics to every partner with the
 * matching Receiver endpoint. The offset is committed only once every partner's push is in
 * the durable outbox; partners' changes (owner PARTNER) are not ours to send.
 */
export async function consumeOwnChanges(deps: OwnChangesDeps): Promise<RunningConsumer[]> {
  const common = { publisher: deps.publisher, logger: deps.logger, partitionsConsumedConcurrently: 6 };
  const enqueue = async (job: PushJob | undefined) => {
    if (job) await deps.engine.enqueue(job);
  };
  // In batches: a consumer that is behind pushes each location's newest state once per batch
  // (as a PUT when it stands for several changes: their status PATCHes would be partial).
  const locationConsumer = await runBatchConsumer(deps.kafka, {
    ...common,
    groupId: ConsumerGroups.dispatcherLocations,
    topics: [Topics.location],
    handleBatch: async (events) => {
      const ours = events.flatMap((event) => {
        const changed = decodeEvent(() => locations.LocationChanged.decode(event.value), event, 'LocationChanged');
        if (changed.location?.owner !== objects.Owner.OWNER_OWN) return [];
        const location = parseJsonField(locationSchema, changed.location.ocpiJson, 'LocationChanged.location');
        const statusChanges = changed.statusChanges.map((status) => ({ evse_uid: status.evseUid, status: status.status, last_updated: status.lastUpdated }));
        return [{ location, statusChanges, sequence: event.offset, correlationId: event.meta.correlationId ?? event.meta.id }];
      });
      const targets = [...pushTargets(deps.directory.registered(), 'locations')];
      await Promise.all(
        newestLocationChanges(ours).flatMap((change) => {
          const key = locationObjectKey(change.location);
          return targets.map(async (target) => {
            const pending = change.statusChanges.length === 1 ? await deps.engine.hasPending(target.partnerId, key) : false;
            const job = locationPush(change, target, pending);
            await enqueue(pushForVersion(job, target, job.method === 'PATCH' ? sameBody(job) : () => locationTo211(change.location), deps.logger));
          });
        }),
      );
    },
  });
  const tariffConsumer = await runConsumer(deps.kafka, {
    ...common,
    groupId: ConsumerGroups.dispatcherTariffs,
    topics: [Topics.tariff],
    handle: async (event) => {
      const changed = decodeEvent(() => tariffs.TariffChanged.decode(event.value), event, 'TariffChanged');
      if (changed.tariff?.owner !== objects.Owner.OWNER_OWN) return;
      const tariff = parseJsonField(tariffSchema, changed.tariff.ocpiJson, 'TariffChanged.tariff');
      const change = { tariff, deleted: changed.deleted, sequence: event.offset, correlationId: event.meta.correlationId ?? event.meta.id };
      await Promise.all(
        pushTargets(deps.directory.registered(), 'tariffs').map((target) => {
          const job = tariffPush(change, target);
          // A tariff 2.1.1 cannot price as we do is deleted there, not left at its old price.
          const deleteInstead = (refused: PushJob): PushJob => ({ ...refused, method: 'DELETE', body: undefined });
          return enqueue(pushForVersion(job, target, job.method === 'DELETE' ? sameBody(job) : () => tariffTo211(tariff), deps.logger, deleteInstead));
        }),
      );
    },
  });
  const tokenConsumer = await runConsumer(deps.kafka, {
    ...common,
    groupId: ConsumerGroups.dispatcherTokens,
    topics: [Topics.token],
    handle: async (event) => {
      const changed = decodeEvent(() => tokens.TokenChanged.decode(event.value), event, 'TokenChanged');
      if (changed.token?.owner !== objects.Owner.OWNER_OWN) return;
      const token = parseJsonField(tokenSchema, changed.token.ocpiJson, 'TokenChanged.token');
      const change = { token, sequence: event.offset, correlationId: event.meta.correlationId ?? event.meta.id };
      // Our eMSP's tokens go to partner CPOs (they authorize locally and know where CDRs go).
      await Promise.all(
        pushTargets(deps.directory.registered(), 'tokens', 'CPO', { strict: true }).map((target) => enqueue(pushForVersion(tokenPush(change, target), target, () => tokenTo211(token), deps.logger))),
      );
    },
  });
  return [locationConsumer, tariffConsumer, tokenConsumer];
}
