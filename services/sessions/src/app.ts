import { topicPositions, Topics } from '@voltmesh/kafka';
import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';
import { CommandStore } from './adapters/command-store.js';
import { DueList } from './adapters/due-list.js';
import { EvseStatusClient } from './adapters/evse-status-client.js';
import { LocationClient } from './adapters/location-client.js';
import { PeriodChunkCache } from './adapters/period-cache.js';
import { ProfileStore } from './adapters/profile-store.js';
import { ReservationStore } from './adapters/reservation-store.js';
import { SessionStore } from './adapters/session-store.js';
import { TariffClient } from './adapters/tariff-client.js';
import { TokenClient } from './adapters/token-client.js';
import type { PricingProbe } from './application/live-pricing.js';
import { CommandWatchers } from './application/command-watchers.js';
import { CommandWriter } from './application/command-writer.js';
import { ProfileWriter } from './application/profile-writer.js';
import { ReservationWriter } from './application/reservation-writer.js';
import { SessionClaims } from './application/session-claims.js';
import { SessionWatchers } from './application/session-watchers.js';
import { SessionWriter } from './application/session-writer.js';
import { startSweeper } from './application/sweeper.js';
import type { SessionsConfig } from './config.js';
import { chargingProfileServiceBinding } from './transport/charging-profile-service.js';
import { followCommandChanges, followSessionChanges } from './transport/own-topic-follower.js';
import { commandServiceBinding } from './transport/command-service.js';
import { consumePartnerEvents } from './transport/partner-events-consumer.js';
import { sessionServiceBinding } from './transport/session-service.js';

/** Open WatchCommand streams, and WatchSessions streams, one replica serves at most (each). */
const MAX_WATCHERS = 10_000;
/** Open sessions of a contract a WatchSessions stream starts with. */
const WATCH_INITIAL_MAX = 100;

/** What tests may look into; nothing in production sets it. */
export interface SessionsProbes {
  pricing?: PricingProbe;
}

/**
 * Composition root of the sessions service: the stores, the writers every change goes through
 * (commands, reservations, sessions, session profiles), the CommandService, SessionService and
 * ChargingProfileService, the consumer of the
 * gateway's partner commands and sessions, the followers that feed WatchCommand and
 * WatchSessions across replicas, and the sweepers of due work.
 */
export async function buildSessions(config: SessionsConfig, { db, kafka, publisher, logger }: ServiceDeps, probes: SessionsProbes = {}): Promise<ServiceParts> {
  const store = new CommandStore(db);
  const commandsDue = new DueList(db, 'command_due', 'command');
  const reservationStore = new ReservationStore(db);
  const reservationsDue = new DueList(db, 'reservation_due', 'reservation');
  const sessionStore = new SessionStore(db, new PeriodChunkCache(config.PERIOD_CACHE_PERIODS));
  const sessionsDue = new DueList(db, 'session_due', 'session');
  const profileStore = new ProfileStore(db);
  const profilesDue = new DueList(db, 'profile_due', 'session profile');
  await Promise.all([
    commandsDue.ensureIndexes(),
    reservationsDue.ensureIndexes(),
    reservationStore.ensureIndexes(),
    sessionsDue.ensureIndexes(),
    sessionStore.ensureIndexes(),
    profilesDue.ensureIndexes(),
  ]);

  const tokens = new TokenClient(config.AUTHORIZATION_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const evse = new EvseStatusClient(config.LOCATIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const locations = new LocationClient(config.LOCATIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const tariffs = new TariffClient(config.TARIFFS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const watchers = new CommandWatchers(MAX_WATCHERS);
  const sessionWatchers = new SessionWatchers(MAX_WATCHERS);
  const writer = new CommandWriter(store, commandsDue, publisher, watchers, { deliveryWaitMs: config.DELIVERY_WAIT_MS, republishGraceMs: config.REPUBLISH_INTERVAL_MS }, logger);
  const reservations = new ReservationWriter(reservationStore, reservationsDue, evse, logger);
  const sessionWriter = new SessionWriter(sessionStore, sessionsDue, publisher, sessionWatchers, { republishGraceMs: config.REPUBLISH_INTERVAL_MS, maxPeriods: config.SESSION_MAX_PERIODS }, logger);
  const profiles = new ProfileWriter(profileStore, profilesDue, publisher, { republishGraceMs: config.REPUBLISH_INTERVAL_MS }, logger);
  const claims = new SessionClaims(sessionWriter, sessionStore);
  const ownParties = config.OWN_PARTIES;

  const commandBinding = commandServiceBinding({
    store,
    reservations: reservationStore,
    watchers,
    send: { writer, tokens, ownParties, publicUrl: config.PUBLIC_URL },
    receive: { writer, sessions: claims, reservations: reservationStore, ownParties },
    report: { writer, sessions: claims, reservations, profiles },
    logger,
  });
  const profileBinding = chargingProfileServiceBinding({
    send: { writer, sessions: sessionStore, publicUrl: config.PUBLIC_URL },
    receive: { writer, sessions: sessionStore, ownParties },
    report: { profiles, commands: writer, commandStore: store, sessions: sessionStore, ownParties },
    partnerProfile: { profiles, sessions: sessionStore },
    read: { profiles: profileStore, sessions: sessionStore },
    logger,
  });
  const sessionBinding = sessionServiceBinding({
    store: sessionStore,
    writer: sessionWriter,
    watchers: sessionWatchers,
    start: { writer: sessionWriter, store: sessionStore, tokens, locations, tariffs, ownParties, defaultCurrency: config.DEFAULT_CURRENCY, logger },
    report: { writer: sessionWriter, store: sessionStore, tariffs, ownParties, logger, ...(probes.pricing ? { probe: probes.pricing } : {}) },
    preferences: { writer: sessionWriter, store: sessionStore, locations, tariffs, ownParties },
    limits: { defaultLimit: config.LIST_DEFAULT_LIMIT, maxLimit: config.LIST_MAX_LIMIT, watchInitialMax: WATCH_INITIAL_MAX },
    logger,
  });

  return {
    grpcServices: [commandBinding, sessionBinding, profileBinding],
    async start() {
      // Before any watch is served (gRPC starts after this): a watch reads the store once it
      // opens, and the followers replay everything published since these positions.
      const [commandsFrom, sessionsFrom] = await Promise.all([topicPositions(kafka, Topics.command), topicPositions(kafka, Topics.session)]);
      const consumer = await consumePartnerEvents(kafka, { store, writer, profiles, sessions: { writer: sessionWriter, store: sessionStore, ownParties }, publisher, logger });
      const [commandFollower, sessionFollower] = await Promise.all([
        followCommandChanges(kafka, watchers, commandsFrom, logger),
        followSessionChanges(kafka, sessionWatchers, sessionsFrom, logger),
      ]);
      const sweepers = [
        startSweeper('commands', commandsDue, (entry) => writer.sweep(entry), config.SWEEP_INTERVAL_MS, logger),
        startSweeper('reservations', reservationsDue, (entry) => reservations.sweep(entry), config.SWEEP_INTERVAL_MS, logger),
        startSweeper('sessions', sessionsDue, (entry) => sessionWriter.sweep(entry), config.SWEEP_INTERVAL_MS, logger),
        startSweeper('profiles', profilesDue, (entry) => profiles.sweep(entry), config.SWEEP_INTERVAL_MS, logger),
      ];
      return {
        async stop() {
          watchers.closeAll();
          sessionWatchers.closeAll();
          await consumer.stop();
          await Promise.all([commandFollower.stop(), sessionFollower.stop()]);
          await Promise.all(sweepers.map((sweeper) => sweeper.stop()));
          await reservations.drain();
          tokens.close();
          evse.close();
          locations.close();
          tariffs.close();
        },
      };
    },
  };
}
