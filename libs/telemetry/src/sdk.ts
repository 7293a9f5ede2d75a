import { NodeSDK } from '@opentelemetry/sdk-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startProcessMetrics } from './process-metrics.js';

/** Records nothing: keeps a real tracer (trace ids, context propagation) when no exporter is set. */
const keepIdsOnly: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

export interface MetricsEndpoint {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

/**
 * Starts the OpenTelemetry Node SDK. Traces are configured only by the standard `OTEL_*`
 * variables (service name, exporter, endpoint, sampler), so operators tune them without code.
 * With `OTEL_TRACES_EXPORTER=none` the SDK would install no tracer at all; we still want
 * trace ids in logs and W3C context on Kafka and HTTP, so a no-op processor keeps one.
 * Metrics are pulled: with `metrics` given, Prometheus text is served on `host:port/metrics`
 * (the SDK's own OTEL_METRICS_EXPORTER is then not used), with the Node process metrics.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env, metrics?: MetricsEndpoint): { shutdown: () => Promise<void> } {
  const tracesOff = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',').every((name) => name.trim() === 'none');
  const prometheus = metrics ? new PrometheusExporter({ host: metrics.host, port: metrics.port }) : undefined;
  const sdk = new NodeSDK({
    ...(tracesOff ? { spanProcessors: [keepIdsOnly] } : {}),
    ...(prometheus ? { metricReaders: [prometheus] } : {}),
  });
  sdk.start();
  const stopProcessMetrics = prometheus ? startProcessMetrics() : undefined;
  return {
    shutdown: async () => {
      stopProcessMetrics?.();
      await sdk.shutdown();
    },
  };
}
