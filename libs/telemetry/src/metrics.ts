import { metrics, type Attributes, type Counter, type Histogram, type ObservableResult } from '@opentelemetry/api';

/** Seconds; the same buckets on every duration histogram, so dashboards can compare them. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const SCOPE = 'voltmesh';

/**
 * A duration histogram in seconds (`name` is the Prometheus name, e.g.
 * `rpc_server_duration_seconds`). The instrument is created on first use: the metrics API
 * hands out no-op instruments before the SDK starts, and libraries are imported before that.
 */
export function durationHistogram(name: string, description: string): { record(seconds: number, attributes: Attributes): void } {
  let instrument: Histogram | undefined;
  return {
    record(seconds, attributes) {
      instrument ??= metrics
        .getMeter(SCOPE)
        .createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
      instrument.record(seconds, attributes);
    },
  };
}

/** A monotonic counter; Prometheus shows it as `<name>_total`. Created on first use like the histograms. */
export function counter(name: string, description: string): { add(value: number, attributes: Attributes): void } {
  let instrument: Counter | undefined;
  return {
    add(value, attributes) {
      instrument ??= metrics.getMeter(SCOPE).createCounter(name, { description });
      instrument.add(value, attributes);
    },
  };
}

/**
 * A gauge read at each scrape from `observe`. Call it after the telemetry SDK started (in a
 * service's start-up, not at import). Returns a function that stops observing.
 */
export function observeGauge(name: string, description: string, unit: string, observe: (result: ObservableResult) => void): () => void {
  const gauge = metrics.getMeter(SCOPE).createObservableGauge(name, { description, unit });
  gauge.addCallback(observe);
  return () => gauge.removeCallback(observe);
}

/** Seconds elapsed since `startedAt`, a `performance.now()` reading. */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
