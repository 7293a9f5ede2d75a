import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Records nothing: keeps a real tracer (trace ids, context propagation) when no exporter is set. */
const keepIdsOnly: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * Starts the OpenTelemetry Node SDK. Configuration comes only from the standard `OTEL_*`
 * variables (service name, exporters, endpoint, sampler), so operators tune it without code.
 * With `OTEL_TRACES_EXPORTER=none` the SDK would install no tracer at all; we still want
 * trace ids in logs and W3C context on Kafka and HTTP, so a no-op processor keeps one.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): { shutdown: () => Promise<void> } {
  const tracesOff = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',').every((name) => name.trim() === 'none');
  const sdk = new NodeSDK(tracesOff ? { spanProcessors: [keepIdsOnly] } : {});
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
