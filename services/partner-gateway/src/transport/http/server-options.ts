import type { ServerOptions } from 'node:http';

/** A socket with no byte in either direction for this long is closed: a client that stops reading our answer. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;
/** An idle keep-alive connection is closed after this: above the 60 s idle timeout of common load balancers. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * The timeouts of an HTTP listener (fastify options), so a slow or stalled client cannot hold
 * a connection forever:
 * - `requestTimeout`: the whole request (headers and body) must arrive within it, however
 *   steadily it trickles in (slowloris); Node answers HTTP 408 and closes. Headers alone get
 *   at most 60 s (Node's `headersTimeout`, derived from it). Node checks every
 *   `connectionsCheckingInterval` (its default is 30 s): here every second, or every
 *   `requestTimeout` when that is shorter, so the cut comes at most a second late.
 * - `connectionTimeout`: a socket idle in both directions (a client that stopped reading our
 *   answer); long enough for any handler, which makes at most a few partner calls of
 *   `PARTNER_TIMEOUT_MS`.
 * - `keepAliveTimeout`: an idle connection between requests.
 */
export function httpServerTimeouts(requestTimeoutMs: number) {
  const http: ServerOptions = { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs) };
  return {
    // fastify sets these on the server after creating it; `http` makes Node derive headersTimeout from requestTimeout.
    requestTimeout: requestTimeoutMs,
    connectionTimeout: Math.max(SOCKET_IDLE_TIMEOUT_MS, requestTimeoutMs),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http,
  };
}
