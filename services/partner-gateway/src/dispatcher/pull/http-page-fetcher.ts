import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { encodeAuthorizationHeader, ocpiEnvelopeSchema, OcpiHeader, parseOcpiDateTime, zodErrorMessage } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import type { PartnerFetch } from '../../adapters/guarded-fetch.js';
import { describeNetworkError, PartnerCallError, readCapped } from '../../adapters/partner-client.js';
import { observePartnerCall } from '../../adapters/partner-telemetry.js';
import type { AuthMode } from '../../domain/connection.js';
import type { FetchedPage } from './crawl.js';

export interface PageRequest {
  url: string;
  token: string;
  authMode: AuthMode;
  /** One per crawl, so the partner can tie the pages together. */
  correlationId?: string;
  /** OCPI-to/from-* routing headers (functional modules); omitted when unknown. */
  routing?: { toCountryCode?: string; toPartyId?: string; fromCountryCode?: string; fromPartyId?: string };
  /** Aborts the call when the sync stops (shutdown, lost lease). */
  signal?: AbortSignal;
  /** The partner's connection id and the OCPI module, for the call's span and metrics. */
  partner?: string;
  module?: string;
}

/** The pull sync's port for one GET of a Sender list, with the headers PartnerClient does not expose. */
export type FetchPartnerPage = (request: PageRequest) => Promise<FetchedPage>;

export interface HttpPageFetcherOptions {
  /** Deadline of one page: connect, headers and the whole body. */
  timeoutMs: number;
  /** Largest page body we read; a partner cannot make us buffer without bound. */
  maxBytes?: number;
  logger: Logger;
  /** How calls go out: partnerFetch (guarded against private addresses) in the dispatcher; global fetch by default. */
  fetch?: PartnerFetch;
}

const listEnvelope = ocpiEnvelopeSchema(z.array(z.unknown()));

/**
 * GETs one page of a partner's Sender list with fetch: the token in the partner's encoding, a
 * fresh X-Request-ID, a deadline that covers the body, a size cap, no redirects (the token must
 * not follow one). Failures are PartnerCallErrors, as from PartnerClient.
 */
export function httpPageFetcher(options: HttpPageFetcherOptions): FetchPartnerPage {
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const fetchImpl: PartnerFetch = options.fetch ?? ((url, init) => fetch(url, init));
  return (request) => observePartnerCall({ partner: request.partner, module: request.module, method: 'GET', url: request.url }, () => fetchPage(request));

  async function fetchPage(request: PageRequest): Promise<FetchedPage> {
    const requestId = randomUUID();
    const where = `GET ${request.url}`;
    const headers: Record<string, string> = {
      authorization: encodeAuthorizationHeader(request.token, request.authMode),
      [OcpiHeader.requestId]: requestId,
      [OcpiHeader.correlationId]: request.correlationId ?? randomUUID(),
      accept: 'application/json',
    };
    const routing = request.routing ?? {};
    if (routing.toCountryCode && routing.toPartyId) {
      headers[OcpiHeader.toCountryCode] = routing.toCountryCode;
      headers[OcpiHeader.toPartyId] = routing.toPartyId;
    }
    if (routing.fromCountryCode && routing.fromPartyId) {
      headers[OcpiHeader.fromCountryCode] = routing.fromCountryCode;
      headers[OcpiHeader.fromPartyId] = routing.fromPartyId;
    }
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;

    const failure = (error: unknown): PartnerCallError => {
      if (request.signal?.aborted) throw request.signal.reason;
      return timeout.aborted
        ? new PartnerCallError('timeout', `${where} got no complete answer within ${options.timeoutMs} ms`, { cause: error })
        : new PartnerCallError('unreachable', `${where} failed: ${describeNetworkError(error)}`, { cause: error });
    };
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(request.url, { method: 'GET', headers, signal, redirect: 'error' });
      text = await readCapped(response, maxBytes, where, failure);
    } catch (error) {
      if (error instanceof PartnerCallError) throw error;
      throw failure(error);
    }
    options.logger.debug({ url: request.url, status: response.status, request_id: requestId }, 'partner page fetched');

    let json: unknown;
    try {
      json = text.length === 0 ? undefined : JSON.parse(text);
    } catch (error) {
      throw new PartnerCallError('not-json', `${where} answered HTTP ${response.status} with a body that is not JSON`, { cause: error, httpStatus: response.status });
    }
    const envelope = listEnvelope.safeParse(json);
    if (!envelope.success) {
      const detail = response.ok ? zodErrorMessage(envelope.error) : 'no OCPI list envelope';
      throw new PartnerCallError(response.ok ? 'bad-envelope' : 'http-status', `${where} answered HTTP ${response.status} without a valid OCPI list (${detail})`, {
        httpStatus: response.status,
      });
    }
    const { status_code: statusCode, status_message: statusMessage, data, timestamp } = envelope.data;
    if (!response.ok || statusCode < 1000 || statusCode >= 2000) {
      throw new PartnerCallError(response.ok ? 'bad-data' : 'http-status', `${where} answered HTTP ${response.status}, OCPI status ${statusCode}${statusMessage ? `: ${statusMessage}` : ''}`, {
        httpStatus: response.status,
      });
    }

    const serverTime = (typeof timestamp === 'string' ? parseOcpiDateTime(timestamp) : undefined) ?? httpDate(response.headers.get('date'));
    const link = response.headers.get(OcpiHeader.link) ?? undefined;
    const totalCount = count(response.headers.get(OcpiHeader.totalCount));
    const pageLimit = count(response.headers.get(OcpiHeader.limit));
    return {
      objects: data ?? [],
      ...(link ? { link } : {}),
      ...(totalCount !== undefined ? { totalCount } : {}),
      ...(pageLimit !== undefined && pageLimit > 0 ? { pageLimit } : {}),
      ...(serverTime ? { serverTime } : {}),
    };
  }
}

/** A non-negative integer header; anything else counts as absent (partner tolerance). */
function count(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

function httpDate(value: string | null): Date | undefined {
  if (!value) return undefined;
  const parsed = Date.parse(value);
  return Number.isFinite(parsed) ? new Date(parsed) : undefined;
}

