import {
  InterceptingCall,
  Metadata,
  status,
  type ClientOptions,
  type Interceptor,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { durationHistogram, secondsSince } from '@voltmesh/telemetry';

const tracer = trace.getTracer('@voltmesh/grpc');
const serverDuration = durationHistogram('rpc_server_duration_seconds', 'gRPC calls served, by service, method and status code');
const clientDuration = durationHistogram('rpc_client_duration_seconds', 'gRPC calls made to other services, by service, method and status code');

/** W3C trace context rides in gRPC metadata (`traceparent`, `tracestate`). */
const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => carrier.get(key).map(String),
};
const metadataSetter: TextMapSetter<Metadata> = { set: (carrier, key, value) => carrier.set(key, value) };

/** `/voltmesh.locations.v1.LocationService/GetLocation` → service and method. */
function splitPath(path: string): { service: string; method: string } {
  const [, service = 'unknown', method = 'unknown'] = path.split('/');
  return { service, method };
}

function rpcAttributes(service: string, method: string) {
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
}

function finish(span: Span, histogram: typeof serverDuration, startedAt: number, service: string, method: string, code: number): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: status[code] });
  span.end();
  histogram.record(secondsSince(startedAt), { 'rpc.service': service, 'rpc.method': method, 'rpc.grpc.status_code': String(code) });
}

/**
 * Client side: a CLIENT span per call, its context in the call's metadata, and the call's
 * duration by status code. Give it to every generated client: `new XClient(address, creds, observedClient)`.
 */
export const observeClientCalls: Interceptor = (options, nextCall) => {
  const { service, method } = splitPath(options.method_definition.path);
  const span = tracer.startSpan(`${service}/${method}`, { kind: SpanKind.CLIENT, attributes: rpcAttributes(service, method) });
  const startedAt = performance.now();
  return new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      propagation.inject(trace.setSpan(context.active(), span), metadata, metadataSetter);
      next(metadata, {
        onReceiveStatus(received, nextStatus) {
          finish(span, clientDuration, startedAt, service, method, received.code);
          nextStatus(received);
        },
      });
    },
  });
};

/** Client options with the tracing and metrics interceptor. */
export const observedClient: Partial<ClientOptions> = { interceptors: [observeClientCalls] };

type AnyHandler = (call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>, callback?: (error: { code?: number } | null, value?: unknown) => void) => void;

/**
 * Server side: every method of a service runs in a SERVER span continuing the caller's trace
 * (from the metadata), and its duration is recorded by status code. Unary and server-streaming
 * methods are what the mesh defines; a streaming call counts until it ends or is cancelled.
 */
export function observeServerMethods(definition: ServiceDefinition, implementation: UntypedServiceImplementation): UntypedServiceImplementation {
  const observed: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const method = definition[name];
    if (!method || method.requestStream || typeof handler !== 'function') {
      observed[name] = handler;
      continue;
    }
    const { service, method: rpc } = splitPath(method.path);
    const original = handler as unknown as AnyHandler;
    const wrapped: AnyHandler = (call, callback) => {
      const parent = propagation.extract(context.active(), call.metadata, metadataGetter);
      const span = tracer.startSpan(`${service}/${rpc}`, { kind: SpanKind.SERVER, attributes: rpcAttributes(service, rpc) }, parent);
      const startedAt = performance.now();
      const active = trace.setSpan(parent, span);
      if (method.responseStream) {
        let done = false;
        const end = (code: number) => {
          if (done) return;
          done = true;
          finish(span, serverDuration, startedAt, service, rpc, code);
        };
        call.on('finish', () => end(status.OK));
        call.on('cancelled', () => end(status.CANCELLED));
        call.on('error', (error: { code?: number }) => end(error.code ?? status.UNKNOWN));
        context.with(active, () => original(call));
        return;
      }
      context.with(active, () =>
        original(call, (error, value) => {
          finish(span, serverDuration, startedAt, service, rpc, error ? (error.code ?? status.UNKNOWN) : status.OK);
          callback?.(error, value);
        }),
      );
    };
    observed[name] = wrapped as unknown as UntypedServiceImplementation[string];
  }
  return observed;
}
