import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@voltmesh/errors';
import { encodeAuthorizationHeader, OcpiHeader, ocpiEnvelopeSchema, zodErrorMessage, type RoutingHeaders } from '@voltmesh/ocpi';
import type { Logger } from '@voltmesh/telemetry';
import type { AuthMode } from '../domain/connection.js';
import type { PartnerFetch } from './guarded-fetch.js';
import { observePartnerCall } from './partner-telemetry.js';

export interface PartnerRequest<T> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  authMode: AuthMode;
  body?: unknown;
  /** Schema of the envelope's `data`; the call fails when the partner's data does not match. */
  data: z.ZodType<T>;
  correlationId?: string;
  /** Our X-Request-ID for this call, when the caller wants to log or store it; a fresh one otherwise. */
  requestId?: string;
  /** OCPI-from/to-* headers: which of our parties speaks to which of theirs. */
  routing?: RoutingHeaders;
  /** Ends the call early (e.g. on shutdown); the deadline applies as well. */
  signal?: AbortSignal;
  /** This call's deadline, instead of the client's default. */
  timeoutMs?: number;
  /** The partner's connection id, for the call's span and metrics (absent before a connection exists). */
  partner?: string;
  /** The OCPI module called, for the span's name and the failure metrics. */
  module?: string;
}

export interface PartnerResponse<T> {
  httpStatus: number;
  statusCode: number;
  statusMessage?: string;
  data: T;
  requestId: string;
  /** The partner's Retry-After header as sent (seconds or an HTTP date), e.g. on a 429 with an envelope. */
  retryAfter?: string;
}

/** Why a call to a partner failed, for messages that name the cause (OCPI 3001 and friends). */
export type PartnerFailure = 'unreachable' | 'timeout' | 'aborted' | 'http-status' | 'not-json' | 'bad-envelope' | 'bad-data';

export class PartnerCallError extends AppError {
  override readonly name = 'PartnerCallError';
  /** HTTP status of the partner's answer, when there was one. */
  readonly httpStatus: number | undefined;
  /** The partner's Retry-After header as sent, when there was one. */
  readonly retryAfter: string | undefined;

  constructor(
    readonly failure: PartnerFailure,
    message: string,
    options: { cause?: unknown; httpStatus?: number; retryAfter?: string } = {},
  ) {
    super('UNAVAILABLE', message, { cause: options.cause, details: { failure, httpStatus: options.httpStatus } });
    this.httpStatus = options.httpStatus;
    this.retryAfter = options.retryAfter;
  }
}

/** The largest answer we read from a partner (a page of locations is far less). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * Calls a partner's OCPI API: Authorization in the partner's encoding, fresh X-Request-ID,
 * a deadline on every call, a size cap on the answer, and the envelope parsed with zod.
 * Non-1000 OCPI statuses are returned, not thrown: the caller decides what they mean.
 */
export class PartnerClient {
  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    /** How calls go out: partnerFetch (guarded against private addresses) in the processes; global fetch by default. */
    private readonly fetchImpl: PartnerFetch = (url, init) => fetch(url, init),
    private readonly maxResponseBytes: number = MAX_RESPONSE_BYTES,
  ) {}

  call<T>(request: PartnerRequest<T>): Promise<PartnerResponse<T | undefined>> {
    return observePartnerCall(request, () => this.callUntraced(request));
  }

  private async callUntraced<T>(request: PartnerRequest<T>): Promise<PartnerResponse<T | undefined>> {
    const requestId = request.requestId ?? randomUUID();
    const headers: Record<string, string> = {
      authorization: encodeAuthorizationHeader(request.token, request.authMode),
      [OcpiHeader.requestId]: requestId,
      [OcpiHeader.correlationId]: request.correlationId ?? randomUUID(),
      accept: 'application/json',
      ...routingHeaders(request.routing),
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const where = `${request.method} ${request.url}`;
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;

    let response: Response;
    try {
      response = await this.fetchImpl(request.url, {
        method: request.method,
        headers,
        signal,
        redirect: 'error',
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      });
    } catch (error) {
      throw networkFailure(error, where, timeoutMs, request.signal);
    }

    const retryAfter = response.headers.get('retry-after') ?? undefined;
    const text = await readCapped(response, this.maxResponseBytes, where, (error) => networkFailure(error, where, timeoutMs, request.signal));
    this.logger.debug({ method: request.method, url: request.url, status: response.status, request_id: requestId }, 'partner call');
    let json: unknown;
    try {
      json = text.length === 0 ? undefined : JSON.parse(text);
    } catch (error) {
      throw new PartnerCallError('not-json', `${where} answered HTTP ${response.status} with a body that is not JSON`, {
        cause: error,
        httpStatus: response.status,
        ...(retryAfter !== undefined ? { retryAfter } : {}),
      });
    }
    const envelope = ocpiEnvelopeSchema(z.unknown()).safeParse(json);
    if (!envelope.success) {
      const detail = response.ok ? zodErrorMessage(envelope.error) : 'no OCPI envelope';
      throw new PartnerCallError(
        response.ok ? 'bad-envelope' : 'http-status',
        `${where} answered HTTP ${response.status} without a valid OCPI response (${detail})`,
        { httpStatus: response.status, ...(retryAfter !== undefined ? { retryAfter } : {}) },
      );
    }
    const { status_code: statusCode, status_message: statusMessage, data: rawData } = envelope.data;
    let data: T | undefined;
    if (statusCode >= 1000 && statusCode < 2000) {
      const parsed = request.data.safeParse(rawData);
      if (!parsed.success) {
        throw new PartnerCallError('bad-data', `${where} answered data that is not valid: ${zodErrorMessage(parsed.error)}`, {
          httpStatus: response.status,
        });
      }
      data = parsed.data;
    }
    return {
      httpStatus: response.status,
      statusCode,
      data,
      requestId,
      ...(statusMessage ? { statusMessage } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    };
  }
}

function routingHeaders(routing: RoutingHeaders | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (routing?.fromCountryCode) headers[OcpiHeader.fromCountryCode] = routing.fromCountryCode;
  if (routing?.fromPartyId) headers[OcpiHeader.fromPartyId] = routing.fromPartyId;
  if (routing?.toCountryCode) headers[OcpiHeader.toCountryCode] = routing.toCountryCode;
  if (routing?.toPartyId) headers[OcpiHeader.toPartyId] = routing.toPartyId;
  return headers;
}

/** The caller's own abort is 'aborted'; our deadline is 'timeout'; anything else 'unreachable'. */
function networkFailure(error: unknown, where: string, timeoutMs: number, callerSignal: AbortSignal | undefined): PartnerCallError {
  if (callerSignal?.aborted) return new PartnerCallError('aborted', `${where} was abandoned by the caller`, { cause: error });
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  if (timedOut) return new PartnerCallError('timeout', `${where} got no answer within ${timeoutMs} ms`, { cause: error });
  return new PartnerCallError('unreachable', `${where} failed: ${describeNetworkError(error)}`, { cause: error });
}

/** Reads the answer as it streams and stops at `limit` bytes: a partner cannot make us buffer without bound. */
export async function readCapped(
  response: Response,
  limit: number,
  where: string,
  broken: (error: unknown) => PartnerCallError,
): Promise<string> {
  const tooLarge = () => new PartnerCallError('bad-envelope', `${where} answered more than ${limit} bytes`, { httpStatus: response.status });
  if (Number(response.headers.get('content-length') ?? '0') > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof PartnerCallError) throw error;
    const failure = broken(error);
    if (failure.failure !== 'unreachable') throw failure;
    throw new PartnerCallError('unreachable', `${where} broke off its answer: ${describeNetworkError(error)}`, { cause: error });
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** fetch hides the socket error in `cause`; surface e.g. "connect ECONNREFUSED 127.0.0.1:9". */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return error.message;
}
