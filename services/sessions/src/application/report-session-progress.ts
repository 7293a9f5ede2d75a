import type { sessionService } from '@voltmesh/proto';
import { planProgress } from '../domain/cpo-session.js';
import { changeCpoSession, type ReportDeps } from './change-cpo-session.js';
import { instantField, kwhField, statusField } from './session-fields.js';
import type { SessionWriteResult } from './session-writer.js';

/**
 * Our CSMS reports new charging periods and the energy so far of a running session; it is
 * re-priced up to `at` (the live cost). Unknown session: NOT_FOUND; after COMPLETED or INVALID:
 * FAILED_PRECONDITION; periods out of order: INVALID_ARGUMENT naming the period. A replay (same
 * periods, figures and `at`) changes nothing (changed=false).
 */
export async function reportSessionProgress(deps: ReportDeps, request: sessionService.ReportSessionProgressRequest): Promise<SessionWriteResult> {
  const now = (deps.now ?? (() => new Date()))();
  const kwh = kwhField(request.kwh, 'kwh');
  const at = request.at ? instantField(request.at, 'at') : now.toISOString();
  const status = statusField(request.status, ['ACTIVE', 'PENDING', 'RESERVATION', 'COMPLETED', 'INVALID'] as const, 'status');
  return changeCpoSession(deps, request, (record, periods, storedFromFirst) => planProgress(record, { periods, kwh, status, at }, storedFromFirst));
}

