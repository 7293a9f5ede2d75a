import { notFound } from '@voltmesh/errors';
import { readListRequest, unary, type GrpcServiceBinding } from '@voltmesh/grpc';
import { objects, sessions, sessionService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { SessionStore } from '../adapters/session-store.js';
import type { ReportDeps } from '../application/change-cpo-session.js';
import { reportSessionEnded } from '../application/report-session-ended.js';
import { reportSessionProgress } from '../application/report-session-progress.js';
import { reportSessionStarted, type StartDeps } from '../application/report-session-started.js';
import { requiredParty } from '../application/request-fields.js';
import { idField } from '../application/session-fields.js';
import { rolesOf } from '../application/session-proto.js';
import type { SessionWatchers } from '../application/session-watchers.js';
import type { SessionWriteResult, SessionWriter } from '../application/session-writer.js';
import { setChargingPreferences, type PreferencesDeps } from '../application/set-charging-preferences.js';
import { sessionKey } from '../domain/session.js';
import { watchSessionsHandler } from './watch-sessions.js';

export interface SessionServiceDeps {
  store: Pick<SessionStore, 'get' | 'list'>;
  writer: Pick<SessionWriter, 'read'>;
  watchers: SessionWatchers;
  start: StartDeps;
  report: ReportDeps;
  preferences: PreferencesDeps;
  limits: { defaultLimit: number; maxLimit: number; watchInitialMax: number };
  logger: Logger;
}

/**
 * A ListSessions answer stays under this many bytes (gRPC clients refuse replies over 4 MiB by
 * default, and one session may carry thousands of periods): a page that would be larger ends
 * early, and its PageInfo.limit says how many it holds (the next page starts after them).
 */
const LIST_MAX_BYTES = 3 * 1024 * 1024;

/** SessionService: our CSMS (reports), the driver app and the gateway (reads, watches, preferences). */
export function sessionServiceBinding(deps: SessionServiceDeps): GrpcServiceBinding {
  const { logger } = deps;
  const answer = (result: SessionWriteResult) => ({ session: result.session, changed: result.changed });
  const implementation: sessionService.SessionServiceServer = {
    reportSessionStarted: unary(logger, async (request: sessionService.ReportSessionStartedRequest) => answer(await reportSessionStarted(deps.start, request))),
    reportSessionProgress: unary(logger, async (request: sessionService.ReportSessionProgressRequest) => answer(await reportSessionProgress(deps.report, request))),
    reportSessionEnded: unary(logger, async (request: sessionService.ReportSessionEndedRequest) => answer(await reportSessionEnded(deps.report, request))),
    getSession: unary(logger, async (request: sessionService.GetSessionRequest) => {
      const key = sessionKey(requiredParty(request.cpo, 'cpo'), idField(request.sessionId, 'session_id'));
      const stored = await deps.store.get(key);
      const session = stored?.record && rolesOf(request.role).includes(stored.record.role) ? await deps.writer.read(stored) : undefined;
      if (!session) throw notFound(`unknown session ${key}`);
      return { session };
    }),
    listSessions: unary(logger, async (request: sessionService.ListSessionsRequest) => {
      const { filter, offset, limit } = readListRequest({ page: request.page, owner: objects.Owner.OWNER_UNSPECIFIED }, deps.limits);
      const page = await deps.store.list(
        {
          roles: rolesOf(request.role),
          cpo: request.cpo?.countryCode || request.cpo?.partyId ? requiredParty(request.cpo, 'cpo') : undefined,
          emsp: request.emsp?.countryCode || request.emsp?.partyId ? requiredParty(request.emsp, 'emsp') : undefined,
          contractId: request.contractId || undefined,
          connectionId: request.connectionId || undefined,
          dateFrom: filter.dateFrom,
          dateTo: filter.dateTo,
        },
        offset,
        limit,
      );
      const listed: sessions.Session[] = [];
      let bytes = 0;
      for (const stored of page.items) {
        const session = await deps.writer.read(stored);
        if (!session) continue;
        bytes += sessions.Session.encode(session).finish().length;
        if (listed.length > 0 && bytes > LIST_MAX_BYTES) break;
        listed.push(session);
      }
      const applied = listed.length < page.items.length ? listed.length : limit;
      return { sessions: listed, page: { total: page.total, limit: applied } };
    }),
    watchSessions: watchSessionsHandler({ store: deps.store, writer: deps.writer, watchers: deps.watchers, initialMax: deps.limits.watchInitialMax, logger }),
    setChargingPreferences: unary(logger, async (request: sessionService.SetChargingPreferencesRequest) => ({ result: await setChargingPreferences(deps.preferences, request) })),
  };
  return { name: 'voltmesh.sessions.v1.SessionService', definition: sessionService.SessionServiceService, implementation };
}
