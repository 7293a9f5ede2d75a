import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { durationHistogram, secondsSince } from '@voltmesh/telemetry';

declare module 'fastify' {
  interface FastifyRequest {
    span?: Span;
  }
}

const tracer = trace.getTracer('@voltmesh/partner-gateway');
const requestDuration = durationHistogram('http_server_request_duration_seconds', 'HTTP requests served, by listener, route pattern, method and status');
const startedAt = Symbol('startedAt');

declare module 'fastify' {
  interface FastifyRequest {
    [startedAt]?: number;
  }
}

/**
 * One server span per request, continuing the caller's W3C trace context. The rest of the
 * request (hooks, handler, Kafka publish, outbound partner calls) runs inside it, so their
 * spans are children and every log line carries the trace id. No token or body goes on it.
 * Its duration goes to `http_server_request_duration_seconds` by route pattern (never the raw
 * path: object ids would explode the series), with `server` naming the listener.
 */
export function registerRequestTelemetry(app: FastifyInstance, server: 'ocpi' | 'admin'): void {
  app.decorateRequest('span', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    request[startedAt] = performance.now();
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] ?? '' } },
      parent,
    );
    request.span = span;
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = request.span;
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (request.caller) span.setAttribute('voltmesh.partner.connection_id', request.caller.connection.id);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    requestDuration.record(secondsSince(request[startedAt] ?? performance.now()), {
      server,
      'http.request.method': request.method,
      'http.route': request.routeOptions.url ?? 'unmatched',
      'http.response.status_code': String(reply.statusCode),
    });
  });
}
