import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics } from '@voltmesh/kafka';
import { partners } from '@voltmesh/proto';
import { runService } from '@voltmesh/runtime';
import { ConnectionStore } from './adapters/connection-store.js';
import { IngressPublisher } from './adapters/ingress-publisher.js';
import { TokenCipher } from './adapters/token-cipher.js';
import { TtlCache } from './adapters/ttl-cache.js';
import { pulledObjectsSink } from './application/pulled-objects.js';
import { loadDispatcherConfig } from './config.js';
import { PartnerDirectory } from './dispatcher/partner-directory.js';
import { HubReach } from './dispatcher/hub-reach.js';
import { HubClientInfoStore } from './adapters/hub-client-info-store.js';
import { PartnerClient } from './adapters/partner-client.js';
import { consumeOwnChanges } from './dispatcher/own-changes/consume-own-changes.js';
import { consumeSessionsAndCdrs } from './dispatcher/own-changes/consume-sessions-cdrs.js';
import { httpPageFetcher, PullStateStore, PullSync } from './dispatcher/pull/index.js';
import { MongoPushOutbox, PushEngine } from './dispatcher/push/index.js';
import { reportBacklog } from './dispatcher/push/backlog-gauges.js';
import { consumeCommands } from './dispatcher/commands/consume-commands.js';
import { consumeActiveProfiles } from './dispatcher/charging-profiles/consume-active-profiles.js';
import { CommandDeliveries } from './adapters/command-deliveries.js';
import { refusedPartnerUrl } from './adapters/url-guard.js';
import { partnerFetch } from './adapters/guarded-fetch.js';
import { PartnerReach } from './application/partner-reach.js';
import { LocationsClient } from './adapters/locations-client.js';

/**
 * The dispatcher: keeps the partner directory current from connection events, pushes our own
 * location, EVSE-status and tariff changes to every partner's Receiver and our CPO's sessions
 * and CDRs to the eMSP of their token (coalesced, retried, from a durable outbox), sends our drivers' commands and
 * charging-profile requests to partner CPOs and the results of partners' ones back to them, pushes ActiveChargingProfiles
 * to the eMSPs that set a profile, and pulls partners' Sender interfaces (full crawl, then incremental) onto
 * the ingress topics.
 */
const config = loadDispatcherConfig();
/** How soon a hub's ClientInfo change (e.g. a party going OFFLINE) steers our pushes. */
const HUB_REACH_RELOAD_MS = 5_000;

await runService('dispatcher', config, async ({ db, kafka, publisher, logger }) => {
  // Same database as the gateway: the dispatcher is part of the gateway package.
  const connections = new ConnectionStore(db, new TokenCipher(config.TOKEN_ENCRYPTION_KEY));
  const directory = new PartnerDirectory(connections, logger);
  await directory.loadAll();
  const ownEmsp = config.OWN_PARTIES.find((party) => party.role === 'EMSP');
  const outboundTokens = new TtlCache<string>(60_000);
  const hubs = new HubReach(new HubClientInfoStore(db), logger);
  // Every call to a partner-supplied URL checks the address it connects to (DNS rebinding).
  const guardedFetch = partnerFetch({ allowPrivate: config.ALLOW_PRIVATE_PARTNER_URLS });
  const locations = new LocationsClient(config.LOCATIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const outbox = new MongoPushOutbox(db);
  await outbox.ensureIndexes();
  const engine = new PushEngine({
    outbox,
    partners: new PartnerClient(config.PARTNER_TIMEOUT_MS, logger.child({ component: 'push-client' }), guardedFetch),
    credentials: {
      async getCredentials(partnerId) {
        const connection = directory.get(partnerId);
        if (!connection) return undefined;
        // One read and decrypt per partner and minute, not per delivery; rotations clear it.
        let token = outboundTokens.get(partnerId);
        if (token === undefined) {
          token = await connections.outboundToken(partnerId);
          if (token) outboundTokens.set(partnerId, token);
        }
        return token ? { token, authMode: connection.authMode } : undefined;
      },
    },
    logger: logger.child({ component: 'push' }),
  }, { callTimeoutMs: config.PARTNER_TIMEOUT_MS, backoffMaxMs: config.PUSH_BACKOFF_MAX_MS });
  const pull = new PullSync(
    {
      connections,
      state: new PullStateStore(db),
      fetchPage: httpPageFetcher({ timeoutMs: config.PARTNER_TIMEOUT_MS, logger, fetch: guardedFetch }),
      sink: pulledObjectsSink({ connections, ingress: new IngressPublisher(publisher), logger }),
      logger: logger.child({ component: 'pull-sync' }),
    },
    {
      intervalMs: config.PULL_INTERVAL_MS,
      pollMs: config.PULL_POLL_MS,
      pageLimit: config.PULL_PAGE_LIMIT,
      ...(ownEmsp ? { ownParty: { countryCode: ownEmsp.countryCode, partyId: ownEmsp.partyId } } : {}),
    },
  );
  return {
    async start() {
      // Events say what changed; a periodic reload also repairs a missed one (e.g. published during a Kafka outage).
      const reload = setInterval(() => directory.loadAll().catch((error: unknown) => logger.warn({ err: error }, 'partner directory reload failed')), config.DIRECTORY_RELOAD_MS);
      const consumer = await runConsumer(kafka, {
        groupId: ConsumerGroups.dispatcherConnections,
        topics: [Topics.partnerConnection],
        publisher,
        logger,
        handle: async (event) => {
          let changed: partners.PartnerConnectionChanged;
          try {
            changed = partners.PartnerConnectionChanged.decode(event.value);
          } catch (error) {
            throw invalidArgument(`undecodable PartnerConnectionChanged at offset ${event.offset}: ${String(error)}`);
          }
          if (!changed.connection?.id) throw invalidArgument('PartnerConnectionChanged without a connection id');
          await directory.refresh(changed.connection.id);
          outboundTokens.clear();
          // An unregistered partner's undelivered pushes would wait forever: drop them.
          if (!directory.get(changed.connection.id) && changed.change === partners.ChangeKind.CHANGE_KIND_UNREGISTERED) {
            await outbox.forgetPartner(changed.connection.id);
          }
        },
      });
      engine.start();
      const stopBacklogGauges = reportBacklog(engine, logger);
      await hubs.load();
      hubs.start(HUB_REACH_RELOAD_MS);
      const ownChanges = await consumeOwnChanges({ kafka, engine, directory, publisher, logger });
      const sessionsAndCdrs = await consumeSessionsAndCdrs({
        kafka,
        engine,
        directory,
        ownEmspParties: config.OWN_PARTIES.filter((party) => party.role === 'EMSP'),
        hubs,
        locations,
        publisher,
        logger,
      });
      const commandDispatch = await consumeCommands({
        kafka,
        engine,
        publisher,
        ingress: new IngressPublisher(publisher),
        // Straight from the event-fed directory (no snapshot to go stale): commands are rare.
        reach: new PartnerReach({ list: async () => [...directory.registered()], outboundToken: (id) => connections.outboundToken(id) }, 0),
        deliveries: new CommandDeliveries(db),
        partners: new PartnerClient(config.PARTNER_TIMEOUT_MS, logger.child({ component: 'command-client' }), guardedFetch),
        refusedUrl: (url) => refusedPartnerUrl(url, config.ALLOW_PRIVATE_PARTNER_URLS),
        versionOf: (id) => directory.get(id)?.version,
        maxAgeMs: config.COMMAND_SEND_WINDOW_MS,
        logger: logger.child({ component: 'commands' }),
      });
      const activeProfiles = await consumeActiveProfiles({ kafka, engine, directory, publisher, logger: logger.child({ component: 'active-profiles' }) });
      pull.start();
      return {
        async stop() {
          clearInterval(reload);
          hubs.stop();
          await pull.stop();
          await Promise.all([...ownChanges, ...sessionsAndCdrs, commandDispatch, activeProfiles].map((running) => running.stop()));
          stopBacklogGauges();
          await engine.stop();
          await consumer.stop();
          locations.close();
        },
      };
    },
  };
});
