import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * Starts the OpenTelemetry Node SDK. Configuration comes only from the standard `OTEL_*`
 * variables (service name, exporters, endpoint, sampler), so operators tune it without code.
 * With no exporter configured the SDK still propagates context, which the logs rely on.
 */
export function startTelemetry(): { shutdown: () => Promise<void> } {
  const sdk = new NodeSDK();
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
