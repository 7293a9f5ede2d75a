import type { ServerWritableStream } from '@grpc/grpc-js';
import { invalidArgument, unavailable } from '@voltmesh/errors';
import { toServiceError } from '@voltmesh/grpc';
import { sessions, type sessionService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { SessionStore } from '../adapters/session-store.js';
import { requiredParty } from '../application/request-fields.js';
import { idField } from '../application/session-fields.js';
import { matchesFilter, type SessionFilter, type SessionWatchers } from '../application/session-watchers.js';
import type { SessionWriter } from '../application/session-writer.js';
import { sessionKey, type SessionStatus } from '../domain/session.js';

type WatchCall = ServerWritableStream<sessionService.WatchSessionsRequest, sessionService.WatchSessionsResponse>;

/** A contract's sessions sent first: the open ones (a driver app shows what is charging), the most recent this many. */
const OPEN: readonly SessionStatus[] = ['PENDING', 'RESERVATION', 'ACTIVE'];

export interface WatchDeps {
  store: Pick<SessionStore, 'get' | 'list'>;
  writer: Pick<SessionWriter, 'read'>;
  watchers: SessionWatchers;
  /** How many open sessions of a contract the stream starts with. */
  initialMax: number;
  logger: Logger;
}

/**
 * WatchSessions: first the sessions matching the filter as they are now (one session: its
 * current state, if it exists yet; a contract: its open sessions, PENDING, RESERVATION or
 * ACTIVE, at most `initialMax`, least recently changed first), then every change of a matching
 * session this replica learns of (its own saves and, through the follower, every replica's),
 * until the caller cancels or we stop (UNAVAILABLE: watch again). It subscribes before it reads,
 * so no change in between is missed; per session only newer revisions are sent.
 */
export function watchSessionsHandler(deps: WatchDeps): (call: WatchCall) => void {
  return (call) => {
    const sent = new Map<string, number>();
    let done = false;
    let unsubscribe = (): void => undefined;

    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      unsubscribe();
      if (error === undefined) call.end();
      else call.emit('error', toServiceError(error, deps.logger));
    };
    const send = (session: sessions.Session | undefined): void => {
      if (done || !session?.cpo) return;
      const key = sessionKey(session.cpo, session.id);
      const revision = Number(session.revision);
      if (revision <= (sent.get(key) ?? 0)) return;
      sent.set(key, revision);
      call.write({ session });
    };

    call.on('cancelled', () => {
      done = true;
      unsubscribe();
    });
    try {
      const filter = watchFilter(call.request);
      unsubscribe = deps.watchers.subscribe(filter, { changed: send, closed: () => finish(unavailable('the sessions service is stopping: watch again')) });
      initial(deps, filter).then(
        (current) => current.forEach((session) => (matchesFilter(filter, session) ? send(session) : undefined)),
        (error: unknown) => finish(error),
      );
    } catch (error) {
      finish(error);
    }
  };
}

function watchFilter(request: sessionService.WatchSessionsRequest): SessionFilter {
  const contractId = request.contractId.trim().toUpperCase() || undefined;
  let key: string | undefined;
  if (request.sessionId) key = sessionKey(requiredParty(request.cpo, 'cpo'), idField(request.sessionId, 'session_id'));
  else if (request.cpo?.countryCode || request.cpo?.partyId) throw invalidArgument('session_id: required with cpo');
  if (!contractId && !key) throw invalidArgument('contract_id, or cpo and session_id: at least one is required');
  return { contractId, key };
}

async function initial(deps: WatchDeps, filter: SessionFilter): Promise<sessions.Session[]> {
  if (filter.key) {
    const stored = await deps.store.get(filter.key);
    const session = stored ? await deps.writer.read(stored) : undefined;
    return session ? [session] : [];
  }
  const page = await deps.store.list({ roles: ['CPO', 'EMSP'], contractId: filter.contractId, statuses: OPEN }, 0, deps.initialMax, -1);
  const current = await Promise.all(page.items.map((stored) => deps.writer.read(stored)));
  return current.filter((session) => session !== undefined).reverse();
}
