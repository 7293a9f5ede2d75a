import type { sessionService } from '@voltmesh/proto';
import { planEnd } from '../domain/cpo-session.js';
import { changeCpoSession, type ReportDeps } from './change-cpo-session.js';
import { instantField, kwhField, statusField } from './session-fields.js';
import type { SessionWriteResult } from './session-writer.js';

/**
 * Our CSMS reports the end of a session (COMPLETED, or INVALID when it must not be billed): last
 * periods, end_date_time, the final kWh and price. The same end again changes nothing; another
 * end after it is FAILED_PRECONDITION.
 */
export async function reportSessionEnded(deps: ReportDeps, request: sessionService.ReportSessionEndedRequest): Promise<SessionWriteResult> {
  const kwh = kwhField(request.kwh, 'kwh');
  const endDateTime = instantField(request.endDateTime, 'end_date_time');
  const status = statusField(request.status, ['COMPLETED', 'INVALID'] as const, 'status', 'COMPLETED');
  return changeCpoSession(deps, request, (record, periods, storedFromFirst) => planEnd(record, { periods, kwh, endDateTime, status }, storedFromFirst));
}

