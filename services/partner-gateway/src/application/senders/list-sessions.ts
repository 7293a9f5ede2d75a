import { invalidBody, OcpiError, OcpiStatus, paginationQuerySchema, type RoutingHeaders, type Session } from '@voltmesh/ocpi';
import type { Party, SessionsClient } from '../../adapters/sessions-client.js';
import type { Caller } from '../partner-registers.js';
import { addressedOwnParty, listOwnPage, requestingEmsp, type EmspScope } from './list-own.js';

export interface SessionSenderDeps extends EmspScope {
  sessions: Pick<SessionsClient, 'list' | 'setChargingPreferences'>;
  /** Our CPO parties (OWN_PARTIES with role CPO). */
  cpoParties: readonly Party[];
  maxLimit: number;
}

/**
 * A partner eMSP (or a hub for one) pages our CPO's sessions of its own tokens, ordered by
 * last_updated. OCPI 2.2.1 makes `date_from` required on this one list (REFERENCE §2.7, §6.1).
 * `OCPI-to-*`, when present, narrows to that CPO party of ours.
 */
export async function listSessionsForPartner(
  deps: SessionSenderDeps,
  caller: Caller,
  routing: RoutingHeaders,
  rawQuery: unknown,
  requestUrl: string,
): Promise<{ data: Session[]; headers: Record<string, string> }> {
  const emsp = await requestingEmsp(deps, caller, routing, 'sessions');
  const query = paginationQuerySchema(deps.maxLimit).safeParse(rawQuery);
  if (!query.success) throw invalidBody(query.error);
  if (!query.data.date_from) throw new OcpiError(OcpiStatus.INVALID_PARAMETERS, 'date_from is required (OCPI 2.2.1 Sessions Sender)');
  const cpo = addressedOwnParty(routing, deps.cpoParties, 'CPO');
  const pages = { listOwn: (page: Parameters<SessionsClient['list']>[1]) => deps.sessions.list({ role: 'CPO', emsp, ...(cpo ? { cpo } : {}) }, page) };
  return listOwnPage(pages, deps.maxLimit, query.data, requestUrl);
}
