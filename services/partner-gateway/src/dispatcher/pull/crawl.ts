import { createHash } from 'node:crypto';
import { parseNextLink, parseOcpiDateTime } from '@voltmesh/ocpi';

/** One page of a partner's Sender list, with the paging facts from its headers. */
export interface FetchedPage {
  /** The envelope's `data`; absent or null data is an empty page. */
  objects: unknown[];
  /** The raw `Link` header: the crawl decides whether it is usable. */
  link?: string;
  /** `X-Total-Count`. */
  totalCount?: number;
  /** `X-Limit`: the partner's own maximum page size. */
  pageLimit?: number;
  /** The partner's clock when it answered (envelope `timestamp`, else the HTTP `Date` header). */
  serverTime?: Date;
}

/** GETs one page. Throws on anything that is not a successful OCPI list answer. */
export type FetchPage = (url: string) => Promise<FetchedPage>;

export type CrawlStop =
  /** No next page: no `Link`, and `X-Total-Count` reached (or, without it, a short page). */
  | 'last-page'
  | 'empty-page'
  /** Same objects as an earlier page (a partner that ignores `offset`): not handed on again. */
  | 'repeated-page'
  /** Safety bound; the crawl did not see everything. */
  | 'max-pages';

/** Partner deviations the crawl absorbed, for the log line and the stored state. */
export type CrawlTolerance = 'link-missing' | 'link-unusable' | 'link-repeated-page';

export interface CrawlSummary {
  pages: number;
  objects: number;
  stoppedBecause: CrawlStop;
  /** Newest `last_updated` among the objects handed on. */
  maxLastUpdated?: Date;
  /** The partner's clock at the first page: the safe watermark of this crawl. */
  serverTimeAtStart?: Date;
  tolerated: CrawlTolerance[];
}

export interface CrawlOptions {
  fetchPage: FetchPage;
  /** The partner's Sender endpoint URL (paging parameters are added to it). */
  firstUrl: string;
  /** Page size we ask for; the partner may return fewer. */
  limit: number;
  /** Only objects with `last_updated` ≥ this (incremental sync). */
  dateFrom?: Date;
  /** Receives each page's objects; awaited before the next page is fetched (backpressure). */
  sink: (objects: unknown[]) => Promise<void>;
  maxPages: number;
  signal?: AbortSignal;
}

/**
 * Crawls a partner's paginated Sender list page by page, holding one page at a time.
 * Follows `Link: <…>; rel="next"` when it is usable (http/https, same origin as the endpoint,
 * not already visited); otherwise, partner tolerance: computes the next page from `offset`
 * while `X-Total-Count` (or, without it, a full page) says more remain. Stops on an empty
 * page, on a page that repeats an earlier one, or at `maxPages`. A Link that leads to a
 * repeated page gets one second chance via `offset` before the crawl stops.
 */
export async function crawl(options: CrawlOptions): Promise<CrawlSummary> {
  const { fetchPage, limit, maxPages, signal } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`crawl limit must be a positive integer, got ${limit}`);
  const first = firstPageUrl(options.firstUrl, limit, options.dateFrom);
  const visited = new Set<string>();
  const seenPages = new Set<string>();
  const tolerated = new Set<CrawlTolerance>();
  let trustLink = true;
  let pages = 0;
  let objects = 0;
  let maxLastUpdated: Date | undefined;
  let serverTimeAtStart: Date | undefined;
  let next: { url: URL; viaLink: boolean } | undefined = { url: first, viaLink: false };
  let stoppedBecause: CrawlStop = 'last-page';

  while (next) {
    signal?.throwIfAborted();
    if (pages >= maxPages) {
      stoppedBecause = 'max-pages';
      break;
    }
    const current: { url: URL; viaLink: boolean } = next;
    next = undefined;
    visited.add(current.url.href);
    const page = await fetchPage(current.url.href);
    pages += 1;
    if (pages === 1) serverTimeAtStart = page.serverTime;
    const count = page.objects.length;
    if (count === 0) {
      stoppedBecause = 'empty-page';
      break;
    }

    const fingerprint = pageFingerprint(page.objects);
    if (seenPages.has(fingerprint)) {
      const retry = offsetUrl(first, objects, limit);
      if (current.viaLink && !visited.has(retry.href)) {
        // The Link led back to objects we have: try the spec's offset arithmetic once instead.
        tolerated.add('link-repeated-page');
        trustLink = false;
        next = { url: retry, viaLink: false };
        continue;
      }
      stoppedBecause = 'repeated-page';
      break;
    }
    seenPages.add(fingerprint);

    await options.sink(page.objects);
    objects += count;
    for (const object of page.objects) {
      const updated = lastUpdatedOf(object);
      if (updated && (!maxLastUpdated || updated > maxLastUpdated)) maxLastUpdated = updated;
    }

    if (trustLink && page.link !== undefined) {
      const linked = usableNextUrl(page.link, current.url, first, visited);
      if (linked) {
        next = { url: linked, viaLink: true };
        continue;
      }
      tolerated.add('link-unusable');
    }
    const more = page.totalCount !== undefined ? objects < page.totalCount : count >= Math.min(limit, page.pageLimit ?? limit);
    if (!more) break;
    const fallback = offsetUrl(first, objects, limit);
    if (visited.has(fallback.href)) break;
    if (trustLink && page.link === undefined) tolerated.add('link-missing');
    next = { url: fallback, viaLink: false };
  }

  return {
    pages,
    objects,
    stoppedBecause,
    tolerated: [...tolerated],
    ...(maxLastUpdated ? { maxLastUpdated } : {}),
    ...(serverTimeAtStart ? { serverTimeAtStart } : {}),
  };
}

/** Whether the crawl saw everything the partner was willing to show. */
export const crawlCompleted = (summary: CrawlSummary): boolean => summary.stoppedBecause !== 'max-pages';

function firstPageUrl(endpointUrl: string, limit: number, dateFrom: Date | undefined): URL {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch (error) {
    throw new TypeError(`endpoint URL ${JSON.stringify(endpointUrl)} is not a URL`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`endpoint URL ${endpointUrl} is not http(s)`);
  url.hash = '';
  if (dateFrom) url.searchParams.set('date_from', ocpiSeconds(dateFrom));
  url.searchParams.set('offset', '0');
  url.searchParams.set('limit', String(limit));
  return url;
}

/** The first page's URL with `offset` moved on: keeps every filter of the original request. */
function offsetUrl(first: URL, offset: number, limit: number): URL {
  const url = new URL(first.href);
  url.searchParams.set('offset', String(offset));
  url.searchParams.set('limit', String(limit));
  return url;
}

/**
 * The `rel="next"` URL if it is safe to send our token to and makes progress: absolute or
 * relative to the page, http(s), the endpoint's origin (no downgrade to http, no other host),
 * and not a page of this crawl already.
 */
function usableNextUrl(header: string, current: URL, first: URL, visited: ReadonlySet<string>): URL | undefined {
  const raw = parseNextLink(header);
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw, current);
  } catch {
    return undefined;
  }
  url.hash = '';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.origin !== first.origin) return undefined;
  if (visited.has(url.href)) return undefined;
  return url;
}

/** date_from in whole seconds: the form every partner parses (inclusive bound, so rounding down is safe). */
function ocpiSeconds(date: Date): string {
  return `${new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** An object's identity for repeat detection: party and id (uid for tokens), else its content. */
function objectKey(object: unknown): string {
  if (object && typeof object === 'object') {
    const record = object as Record<string, unknown>;
    const id = typeof record['id'] === 'string' ? record['id'] : typeof record['uid'] === 'string' ? record['uid'] : undefined;
    if (id !== undefined) return `${String(record['country_code'] ?? '')}*${String(record['party_id'] ?? '')}*${id}`.toUpperCase();
  }
  return `#${JSON.stringify(object) ?? 'undefined'}`;
}

/** A digest per page, so remembering every page of a 50,000-object crawl costs a few KB. */
function pageFingerprint(objects: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const object of objects) hash.update(objectKey(object)).update('\n');
  return hash.digest('base64');
}

function lastUpdatedOf(object: unknown): Date | undefined {
  if (!object || typeof object !== 'object') return undefined;
  const value = (object as Record<string, unknown>)['last_updated'];
  if (typeof value !== 'string') return undefined;
  const strict = parseOcpiDateTime(value);
  if (strict) return strict;
  // Tolerance: a partner that writes an offset (`+00:00`) still means a moment.
  const loose = Date.parse(value);
  return Number.isFinite(loose) ? new Date(loose) : undefined;
}
