import { invalidArgument } from '@voltmesh/errors';
import { objects } from '@voltmesh/proto';

/** What a list RPC filters on, in the services' terms. */
export interface ListRequestFilter {
  owner?: 'OWN' | 'PARTNER';
  party?: { country_code: string; party_id: string };
  /** UTC `YYYY-MM-DDTHH:MM:SS.sssZ`: compares with stored last_updated strings. */
  dateFrom?: string;
  dateTo?: string;
}

export interface ListRequestPage {
  filter: ListRequestFilter;
  offset: number;
  /** The caller's limit (or the default), capped. */
  limit: number;
}

/**
 * Reads the common part of our list RPCs (page, owner, party) the same way in every service:
 * limit defaulted and capped, date bounds checked and normalised, UNSPECIFIED owner = both.
 */
export function readListRequest(
  request: { page?: objects.PageRequest | undefined; owner: objects.Owner; party?: { countryCode: string; partyId: string } | undefined },
  limits: { defaultLimit: number; maxLimit: number },
): ListRequestPage {
  const owner = ownerOf(request.owner);
  const filter: ListRequestFilter = {
    ...(owner ? { owner } : {}),
    ...(request.party?.countryCode && request.party.partyId ? { party: { country_code: request.party.countryCode, party_id: request.party.partyId } } : {}),
    ...(request.page?.dateFrom ? { dateFrom: utc(request.page.dateFrom, 'page.date_from') } : {}),
    ...(request.page?.dateTo ? { dateTo: utc(request.page.dateTo, 'page.date_to') } : {}),
  };
  return { filter, offset: request.page?.offset ?? 0, limit: Math.min(request.page?.limit || limits.defaultLimit, limits.maxLimit) };
}

/** The owner an RPC asks for: UNSPECIFIED means both. */
export function ownerOf(owner: objects.Owner): 'OWN' | 'PARTNER' | undefined {
  return owner === objects.Owner.OWNER_OWN ? 'OWN' : owner === objects.Owner.OWNER_PARTNER ? 'PARTNER' : undefined;
}

function utc(value: string, field: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalidArgument(`${field}: must be an RFC 3339 date-time`);
  return date.toISOString();
}
