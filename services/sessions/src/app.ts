import type { ServiceDeps, ServiceParts } from '@voltmesh/runtime';
import { CommandStore } from './adapters/command-store.js';
import { DueList } from './adapters/due-list.js';
import { EvseStatusClient } from './adapters/evse-status-client.js';
import { ReservationStore } from './adapters/reservation-store.js';
import { SessionStore } from './adapters/session-store.js';
import { TokenClient } from './adapters/token-client.js';
import { CommandWatchers } from './application/command-watchers.js';
import { CommandWriter } from './application/command-writer.js';
import { ReservationWriter } from './application/reservation-writer.js';
import { startSweeper } from './application/sweeper.js';
import type { SessionsConfig } from './config.js';
import { followCommandChanges } from './transport/command-follower.js';
import { commandServiceBinding } from './transport/command-service.js';
import { consumePartnerEvents } from './transport/partner-events-consumer.js';

/** Open WatchCommand streams one replica serves at most. */
const MAX_WATCHERS = 10_000;

/**
 * Composition root of the sessions service (commands and reservations so far): the stores, the
 * writers every change goes through, the CommandService, the consumer of the gateway's partner
 * events, the follower that feeds WatchCommand across replicas, and the sweepers of due work.
 */
export async function buildSessions(config: SessionsConfig, { db, kafka, publisher, logger }: ServiceDeps): Promise<ServiceParts> {
  const store = new CommandStore(db);
  const commandsDue = new DueList(db, 'command_due', 'command');
  const reservationStore = new ReservationStore(db);
  const reservationsDue = new DueList(db, 'reservation_due', 'reservation');
  const sessions = new SessionStore(db);
  await Promise.all([commandsDue.ensureIndexes(), reservationsDue.ensureIndexes(), reservationStore.ensureIndexes()]);

  const tokens = new TokenClient(config.AUTHORIZATION_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const evse = new EvseStatusClient(config.LOCATIONS_GRPC_ADDRESS, config.SERVICE_DEADLINE_MS);
  const watchers = new CommandWatchers(MAX_WATCHERS);
  const writer = new CommandWriter(store, commandsDue, publisher, watchers, { deliveryWaitMs: config.DELIVERY_WAIT_MS, republishGraceMs: config.REPUBLISH_INTERVAL_MS }, logger);
  const reservations = new ReservationWriter(reservationStore, reservationsDue, evse, logger);

  const binding = commandServiceBinding({
    store,
    reservations: reservationStore,
    watchers,
    send: { writer, tokens, ownParties: config.OWN_PARTIES, publicUrl: config.PUBLIC_URL },
    receive: { writer, sessions, reservations: reservationStore, ownParties: config.OWN_PARTIES },
    report: { writer, sessions, reservations },
    logger,
  });

  return {
    grpcServices: [binding],
    async start() {
      const consumer = await consumePartnerEvents(kafka, { store, writer, publisher, logger });
      const follower = await followCommandChanges(kafka, watchers, logger);
      const sweepers = [
        startSweeper('commands', commandsDue, (entry) => writer.sweep(entry), config.SWEEP_INTERVAL_MS, logger),
        startSweeper('reservations', reservationsDue, (entry) => reservations.sweep(entry), config.SWEEP_INTERVAL_MS, logger),
      ];
      return {
        async stop() {
          watchers.closeAll();
          await consumer.stop();
          await follower.stop();
          await Promise.all(sweepers.map((sweeper) => sweeper.stop()));
          await reservations.drain();
          tokens.close();
          evse.close();
        },
      };
    },
  };
}
