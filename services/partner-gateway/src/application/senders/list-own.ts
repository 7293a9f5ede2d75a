import { pageHeaders, type PageQuery } from '@voltmesh/ocpi';

/** A module's own objects, one page at a time (the owning service's gRPC list). */
export interface OwnObjectPages<T> {
  listOwn(page: { offset: number; limit: number; dateFrom?: string; dateTo?: string }): Promise<{ items: T[]; total: number }>;
}

/**
 * One page of our objects for a partner, with `X-Total-Count`, `X-Limit` and `Link`. Only one
 * page is ever in memory, so a partner crawling 50,000 locations costs the gateway one page.
 */
export async function listOwnPage<T>(source: OwnObjectPages<T>, maxLimit: number, query: PageQuery, requestUrl: string): Promise<{ data: T[]; headers: Record<string, string> }> {
  const page = await source.listOwn({
    offset: query.offset,
    limit: query.limit,
    ...(query.date_from ? { dateFrom: query.date_from } : {}),
    ...(query.date_to ? { dateTo: query.date_to } : {}),
  });
  return { data: page.items, headers: pageHeaders({ requestUrl, offset: query.offset, limit: query.limit, returned: page.items.length, total: page.total, maxLimit }) };
}
