import { z } from 'zod';
import { ocpiDateTime } from './datetime.js';
import { OcpiHeader } from './headers.js';

/**
 * Query parameters of every Sender list GET. A `limit` above our cap is not an error: the
 * server may return fewer (the spec says so), and `X-Limit` tells the client our cap.
 */
export function paginationQuerySchema(maxLimit: number) {
  return z.object({
    date_from: ocpiDateTime.optional(),
    date_to: ocpiDateTime.optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .transform((limit) => Math.min(limit ?? maxLimit, maxLimit)),
  });
}

export type PageQuery = z.output<ReturnType<typeof paginationQuerySchema>>;

/**
 * `X-Total-Count`, `X-Limit` and, when more objects follow, `Link: <next>; rel="next"` with
 * every other query parameter of the request kept and `offset`/`limit` moved on.
 */
export function pageHeaders(page: { requestUrl: string; offset: number; limit: number; returned: number; total: number; maxLimit: number }): Record<string, string> {
  const headers: Record<string, string> = {
    [OcpiHeader.totalCount]: String(page.total),
    [OcpiHeader.limit]: String(page.maxLimit),
  };
  const nextOffset = page.offset + page.returned;
  if (page.returned > 0 && nextOffset < page.total) {
    const next = new URL(page.requestUrl);
    next.searchParams.set('offset', String(nextOffset));
    next.searchParams.set('limit', String(page.limit));
    headers[OcpiHeader.link] = `<${next.toString()}>; rel="next"`;
  }
  return headers;
}

/** The `rel="next"` URL of a Link header, tolerant of spacing, quoting and several links. */
export function parseNextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (match && /(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(match[2]!)) return match[1]!.trim();
  }
  return undefined;
}
