import { PartnerCallError, type PartnerResponse } from '../../adapters/partner-client.js';
import { parseRetryAfter } from './backoff.js';

/**
 * What a push attempt means for the object and the partner:
 * - delivered: the partner took the state (note says what we absorbed, if anything);
 * - rejected: the partner refused this state for good (OCPI 2xxx, or an HTTP refusal of the
 *   request itself); retrying the same body would be refused again, so it is dead-lettered;
 * - retry: the partner or the network failed; try again after backoff, or after
 *   `retryAfterMs` when the partner said so (429 / 503 Retry-After);
 * - interrupted: we abandoned the call (shutdown); nothing is learned about the partner.
 */
export type DeliveryOutcome =
  | { kind: 'delivered'; httpStatus: number; statusCode?: number; note?: string }
  | { kind: 'rejected'; httpStatus?: number; statusCode?: number; message: string }
  | { kind: 'retry'; httpStatus?: number; statusCode?: number; message: string; retryAfterMs?: number }
  | { kind: 'interrupted' };

/** HTTP refusals without an OCPI envelope that are about the request, not the partner's health. */
const REFUSED_REQUEST = new Set([400, 405, 410, 413, 414, 415, 422]);

export function outcomeOfResponse(response: PartnerResponse<unknown>, now: number): DeliveryOutcome {
  const { httpStatus, statusCode } = response;
  const said = `HTTP ${httpStatus}, status_code ${statusCode}${response.statusMessage ? ` (${response.statusMessage})` : ''}`;
  if (httpStatus === 429 || httpStatus >= 500) {
    return withRetryAfter({ kind: 'retry', httpStatus, statusCode, message: `partner answered ${said}` }, response.retryAfter, now);
  }
  if (statusCode >= 2000 && statusCode < 3000) {
    return { kind: 'rejected', httpStatus, statusCode, message: `partner refused the push: ${said}` };
  }
  if (statusCode >= 1000 && statusCode < 2000 && httpStatus < 400) return { kind: 'delivered', httpStatus, statusCode };
  return { kind: 'retry', httpStatus, statusCode, message: `partner answered ${said}` };
}

export function outcomeOfError(error: unknown, now: number): DeliveryOutcome {
  if (!(error instanceof PartnerCallError)) {
    return { kind: 'retry', message: error instanceof Error ? error.message : String(error) };
  }
  const { httpStatus } = error;
  switch (error.failure) {
    case 'aborted':
      return { kind: 'interrupted' };
    case 'unreachable':
    case 'timeout':
    case 'bad-data':
      return { kind: 'retry', message: error.message };
    case 'http-status':
    case 'not-json':
    case 'bad-envelope':
      if (httpStatus === undefined) return { kind: 'retry', message: error.message };
      // A 2xx without a usable envelope: the partner took it at the HTTP level. Retrying would
      // never converge with a partner that always answers this way; we absorb it and say so.
      if (httpStatus >= 200 && httpStatus < 300) return { kind: 'delivered', httpStatus, note: error.message };
      if (REFUSED_REQUEST.has(httpStatus)) return { kind: 'rejected', httpStatus, message: error.message };
      return withRetryAfter({ kind: 'retry', httpStatus, message: error.message }, error.retryAfter, now);
  }
}

function withRetryAfter(outcome: DeliveryOutcome & { kind: 'retry' }, header: string | undefined, now: number): DeliveryOutcome {
  const retryAfterMs = parseRetryAfter(header, now);
  return retryAfterMs === undefined ? outcome : { ...outcome, retryAfterMs };
}
