import type { Kafka } from 'kafkajs';
import { ConsumerGroups, runBatchConsumer, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { cdrSchema, parseJsonField, sessionSchema } from '@voltmesh/ocpi';
import { cdrs, sessions } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { HubReach } from '../hub-reach.js';
import type { PartnerDirectory } from '../partner-directory.js';
import { newestOfEach } from './coalesce.js';
import { decodeEvent } from './decode-event.js';
import type { PartyRef, PushEngine } from '../push/index.js';
import { cdrPush } from './cdr-pushes.js';
import { partyTarget } from './push-targets.js';
import { sessionPush } from './session-pushes.js';
import { pushForVersion } from './push-211.js';
import { NotExpressible } from '../../edge/mapped.js';
import { sessionTo211 } from '../../edge/v2_1_1/sessions.js';
import { cdrTo211, connectorRatingOf } from '../../edge/v2_1_1/cdrs.js';
import type { Location } from '@voltmesh/ocpi';

export interface SessionsCdrsDeps {
  kafka: Kafka;
  engine: Pick<PushEngine, 'enqueue'>;
  directory: Pick<PartnerDirectory, 'registered'>;
  /** Our own eMSP parties: their drivers' sessions and CDRs stay inside the platform. */
  ownEmspParties: readonly PartyRef[];
  /** Whether a hub reports the party reachable (HubClientInfo). */
  hubs: Pick<HubReach, 'reachable'>;
  /** Our locations: a 2.1.1 Session embeds its Location. */
  locations: { get(countryCode: string, partyId: string, id: string): Promise<Location | undefined> };
  publisher: EventPublisher;
  logger: Logger;
}

/**
 * Our CPO's sessions and CDRs, from the domain topics to the eMSP of each token: sessions as
 * PUT then PATCH (coalesced per session, within a fetched batch and in the outbox), CDRs
 * POSTed once each until acknowledged. The offset is committed once the push is in the
 * durable outbox. An eMSP we have no connection to, or that
 * its hub reports offline, gets nothing pushed (logged): it resyncs by GET on our Sender interfaces.
 */
export async function consumeSessionsAndCdrs(deps: SessionsCdrsDeps): Promise<RunningConsumer[]> {
  const common = { publisher: deps.publisher, logger: deps.logger, partitionsConsumedConcurrently: 6 };
  const isOwn = (party: PartyRef) =>
    deps.ownEmspParties.some((own) => own.countryCode.toUpperCase() === party.countryCode.toUpperCase() && own.partyId.toUpperCase() === party.partyId.toUpperCase());
  const target = (module: string, party: PartyRef, what: string) => {
    if (isOwn(party)) return undefined;
    const found = partyTarget(deps.directory.registered(), module, party, (hub, to) => deps.hubs.reachable(hub, to));
    if (!found) deps.logger.warn({ module, to_party: `${party.countryCode}*${party.partyId}`, object: what }, 'no registered partner receives this eMSP party\'s pushes');
    return found;
  };

  // In batches: a consumer that is behind pushes each session's newest state once per batch.
  const sessionConsumer = await runBatchConsumer(deps.kafka, {
    ...common,
    groupId: ConsumerGroups.dispatcherSessions,
    topics: [Topics.session],
    handleBatch: async (events) => {
      const ours = events.flatMap((event) => {
        const changed = decodeEvent(() => sessions.SessionChanged.decode(event.value), event, 'SessionChanged');
        if (changed.session?.role !== sessions.SessionRole.SESSION_ROLE_CPO) return [];
        const session = parseJsonField(sessionSchema, changed.session.ocpiJson, 'SessionChanged.session');
        return [{ session, revision: changed.session.revision.toString(), correlationId: event.meta.correlationId ?? event.meta.id }];
      });
      const newest = newestOfEach(ours, (change) => `${change.session.country_code}*${change.session.party_id}*${change.session.id}`, (candidate, held) => BigInt(candidate.revision) > BigInt(held.revision));
      await Promise.all(
        newest.map(async ({ change }) => {
          const { session } = change;
          const to = target('sessions', { countryCode: session.cdr_token.country_code, partyId: session.cdr_token.party_id }, `session ${session.id}`);
          if (!to) return;
          const location = to.version === '2.1.1' ? await deps.locations.get(session.country_code, session.party_id, session.location_id) : undefined;
          const job = pushForVersion(sessionPush(change, to), to, () => {
            if (!location) throw new NotExpressible([{ field: 'location_id', reason: `location ${session.location_id} is unknown, and a 2.1.1 Session embeds it` }]);
            return sessionTo211(session, location);
          }, deps.logger);
          if (job) await deps.engine.enqueue(job);
        }),
      );
    },
  });
  const cdrConsumer = await runConsumer(deps.kafka, {
    ...common,
    groupId: ConsumerGroups.dispatcherCdrs,
    topics: [Topics.cdr],
    handle: async (event) => {
      const created = decodeEvent(() => cdrs.CdrCreated.decode(event.value), event, 'CdrCreated');
      if (created.cdr?.role !== cdrs.CdrRole.CDR_ROLE_CPO) return;
      const cdr = parseJsonField(cdrSchema, created.cdr.ocpiJson, 'CdrCreated.cdr');
      const to = target('cdrs', { countryCode: cdr.cdr_token.country_code, partyId: cdr.cdr_token.party_id }, `cdr ${cdr.id}`);
      if (!to) return;
      const location = to.version === '2.1.1' ? await deps.locations.get(cdr.country_code, cdr.party_id, cdr.cdr_location.id) : undefined;
      const connector = connectorRatingOf(location, cdr);
      const job = pushForVersion(cdrPush({ cdr, correlationId: event.meta.correlationId ?? event.meta.id }, to), to, () => cdrTo211(cdr, connector ? { connector } : {}), deps.logger);
      if (job) await deps.engine.enqueue(job);
    },
  });
  return [sessionConsumer, cdrConsumer];
}
