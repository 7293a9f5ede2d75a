import { invalidBody, paginationQuerySchema, type Cdr, type RoutingHeaders } from '@voltmesh/ocpi';
import type { BillingClient } from '../../adapters/billing-client.js';
import type { Party } from '../../adapters/sessions-client.js';
import type { Caller } from '../partner-registers.js';
import { addressedOwnParty, listOwnPage, requestingEmsp, type EmspScope } from './list-own.js';

export interface CdrSenderDeps extends EmspScope {
  billing: Pick<BillingClient, 'list'>;
  /** Our CPO parties (OWN_PARTIES with role CPO). */
  cpoParties: readonly Party[];
  maxLimit: number;
}

/**
 * A partner eMSP (or a hub for one) pages the CDRs our CPO issued for its tokens, ordered by
 * creation (a CDR's last_updated); `date_from` optional. `OCPI-to-*`, when present, narrows to
 * that CPO party of ours.
 */
export async function listCdrsForPartner(
  deps: CdrSenderDeps,
  caller: Caller,
  routing: RoutingHeaders,
  rawQuery: unknown,
  requestUrl: string,
): Promise<{ data: Cdr[]; headers: Record<string, string> }> {
  const emsp = await requestingEmsp(deps, caller, routing, 'CDRs');
  const query = paginationQuerySchema(deps.maxLimit).safeParse(rawQuery);
  if (!query.success) throw invalidBody(query.error);
  const cpo = addressedOwnParty(routing, deps.cpoParties, 'CPO');
  const pages = { listOwn: (page: Parameters<BillingClient['list']>[1]) => deps.billing.list({ role: 'CPO', emsp, ...(cpo ? { cpo } : {}) }, page) };
  return listOwnPage(pages, deps.maxLimit, query.data, requestUrl);
}
