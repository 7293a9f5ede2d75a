/**
 * The metric catalogue of issue 6 as data: what every mesh process exports on
 * `:METRICS_PORT/metrics`, and the few series from outside the mesh that dashboards and alerts
 * may use. Dashboards and alerts are checked against it offline (assets.test.ts); a live
 * scrape of the mesh is the other half of the check.
 */
export interface CatalogueMetric {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly labels: readonly string[];
}

const HTTP_SERVER = ['http_request_method', 'http_route', 'http_response_status_code', 'server'];
const RPC = ['rpc_service', 'rpc_method', 'rpc_grpc_status_code'];

export const METRIC_CATALOGUE: Readonly<Record<string, CatalogueMetric>> = {
  http_server_request_duration_seconds: { type: 'histogram', labels: HTTP_SERVER },
  rpc_server_duration_seconds: { type: 'histogram', labels: RPC },
  rpc_client_duration_seconds: { type: 'histogram', labels: RPC },
  kafka_consumer_lag: { type: 'gauge', labels: ['consumer_group', 'topic'] },
  kafka_consumer_process_duration_seconds: { type: 'histogram', labels: ['consumer_group', 'topic', 'outcome'] },
  kafka_producer_publish_duration_seconds: { type: 'histogram', labels: ['topic', 'outcome'] },
  dispatcher_backlog_jobs: { type: 'gauge', labels: ['partner'] },
  dispatcher_oldest_undelivered_age_seconds: { type: 'gauge', labels: ['partner'] },
  partner_delivery_failures_total: { type: 'counter', labels: ['partner', 'module'] },
  partner_handshake_failures_total: { type: 'counter', labels: ['partner'] },
  ocpi_version_mapping_losses_total: { type: 'counter', labels: ['partner', 'module', 'direction'] },
  http_client_request_duration_seconds: { type: 'histogram', labels: ['partner', 'http_request_method', 'outcome'] },
  process_cpu_seconds_total: { type: 'counter', labels: [] },
  process_resident_memory_bytes: { type: 'gauge', labels: [] },
  process_start_time_seconds: { type: 'gauge', labels: [] },
  nodejs_heap_used_bytes: { type: 'gauge', labels: [] },
  nodejs_eventloop_delay_p99_seconds: { type: 'gauge', labels: [] },
};

/** Not exported by the mesh, allowed in dashboards and alerts (Prometheus, kube-state-metrics). */
export const OUTSIDE_METRICS: Readonly<Record<string, readonly string[]>> = {
  up: [],
  kube_pod_container_status_restarts_total: ['pod', 'container', 'uid'],
  kube_deployment_status_replicas_available: ['deployment'],
  kube_deployment_spec_replicas: ['deployment'],
};

/** Labels every scraped series may carry: added by the scrape (compose) or the ServiceMonitor (Kubernetes). */
export const TARGET_LABELS: readonly string[] = ['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint'];

/** Series names as scraped: a histogram is `_bucket` (with `le`), `_sum` and `_count`. */
export function scrapedSeries(): Map<string, readonly string[]> {
  const series = new Map<string, readonly string[]>();
  for (const [name, metric] of Object.entries(METRIC_CATALOGUE)) {
    if (metric.type === 'histogram') {
      series.set(`${name}_bucket`, [...metric.labels, 'le']);
      series.set(`${name}_sum`, metric.labels);
      series.set(`${name}_count`, metric.labels);
    } else {
      series.set(name, metric.labels);
    }
  }
  for (const [name, labels] of Object.entries(OUTSIDE_METRICS)) series.set(name, labels);
  return series;
}
