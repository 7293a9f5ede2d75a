import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { metricNamesIn, metricNamesInVariableQuery, usedMetrics } from './promql.js';

describe('metricNamesIn', () => {
  const cases: [string, string, string[]][] = [
    ['a bare name', 'up', ['up']],
    ['a selector: label names and values are not metrics', 'up{job="dispatcher", namespace=~"$namespace"} == 0', ['up']],
    [
      'histogram_quantile over sum by (le, ...) with a range',
      'histogram_quantile(0.99, sum by (le, job) (rate(rpc_server_duration_seconds_bucket{job=~"$job"}[5m])))',
      ['rpc_server_duration_seconds_bucket'],
    ],
    [
      'a ratio keeps both suffixes as written',
      'sum(rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m])) / sum(rate(http_server_request_duration_seconds_sum[5m]))',
      ['http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_sum'],
    ],
    ['by after the aggregation', 'sum(rate(process_cpu_seconds_total[5m])) by (job, instance)', ['process_cpu_seconds_total']],
    ['without', 'max without (instance, pod) (kafka_consumer_lag)', ['kafka_consumer_lag']],
    [
      'on / group_left with label lists',
      'kube_deployment_status_replicas_available / on (namespace, deployment) group_left(owner) kube_deployment_spec_replicas',
      ['kube_deployment_status_replicas_available', 'kube_deployment_spec_replicas'],
    ],
    ['ignoring and bool', 'dispatcher_backlog_jobs > bool ignoring (instance) dispatcher_oldest_undelivered_age_seconds', ['dispatcher_backlog_jobs', 'dispatcher_oldest_undelivered_age_seconds']],
    ['and / or / unless are operators', 'a_total and b_total or c_total unless d_total', ['a_total', 'b_total', 'c_total', 'd_total']],
    ['offset and its duration', 'kafka_consumer_lag offset 10m', ['kafka_consumer_lag']],
    ['a negative offset and @', 'up offset -1h30m @ 1609746000', ['up']],
    ['a subquery', 'max_over_time(deriv(sum by (consumer_group) (kafka_consumer_lag)[10m:1m])[30m:])', ['kafka_consumer_lag']],
    ['Grafana variables in ranges and selectors', 'rate(nodejs_heap_used_bytes{job="$job"}[$__rate_interval])', ['nodejs_heap_used_bytes']],
    ['a ${var} outside a selector', 'topk(${top}, dispatcher_backlog_jobs)', ['dispatcher_backlog_jobs']],
    ['numbers, exponents, hex, Inf and NaN', '1e3 * up + 0x1F - Inf + NaN + .5', ['up']],
    ['time() and vector(0) are functions', 'time() - process_start_time_seconds or vector(0)', ['process_start_time_seconds']],
    [
      'label_replace strings are not metrics',
      'label_replace(kafka_consumer_lag, "group", "$1", "consumer_group", "(.*)\\\\.dlq")',
      ['kafka_consumer_lag'],
    ],
    ['count_values label string', 'count_values("version", build_info)', ['build_info']],
    ['a label named like a metric inside braces', 'up{kafka_consumer_lag="x"}', ['up']],
    ['__name__ in a selector', '{__name__="nodejs_eventloop_delay_p99_seconds", job="billing"}', ['nodejs_eventloop_delay_p99_seconds']],
    ['a comment', 'up # kafka_consumer_lag is not used\n', ['up']],
    ['an aggregation name as a metric', 'count', ['count']],
    ['a name with a colon (recording rule)', 'job:rpc_errors:ratio5m > 0.1', ['job:rpc_errors:ratio5m']],
    ['each name once', 'rate(up[5m]) / rate(up[1h])', ['up']],
    ['escaped quotes in strings', 'up{route="a\\"b{c"} + partner_handshake_failures_total', ['up', 'partner_handshake_failures_total']],
  ];
  for (const [name, expr, expected] of cases) {
    test(name, () => assert.deepEqual(metricNamesIn(expr), expected, `metricNamesIn(${JSON.stringify(expr)})`));
  }
});

describe('metricNamesInVariableQuery', () => {
  test('label_values(metric, label) names the metric only', () => {
    assert.deepEqual(metricNamesInVariableQuery('label_values(nodejs_heap_used_bytes{namespace=~"$namespace"}, job)'), ['nodejs_heap_used_bytes'], 'label name taken as a metric');
  });
  test('label_values(label) names no metric', () => {
    assert.deepEqual(metricNamesInVariableQuery('label_values(namespace)'), [], 'a lone label name is not a metric');
  });
  test('query_result(expr) is PromQL', () => {
    assert.deepEqual(metricNamesInVariableQuery('query_result(topk(5, sum by (partner) (dispatcher_backlog_jobs)))'), ['dispatcher_backlog_jobs'], 'query_result expr not read');
  });
  test('metrics(regex) names none', () => {
    assert.deepEqual(metricNamesInVariableQuery('metrics(kafka_.*)'), [], 'a regex is not a metric');
  });
});

describe('usedMetrics', () => {
  test('collects panel, variable and rule exprs with where they are used, minus recorded series', () => {
    const root = mkdtempSync(join(tmpdir(), 'obs-'));
    try {
      mkdirSync(join(root, 'dashboards'));
      mkdirSync(join(root, 'alerts'));
      const dashboard = {
        uid: 'x',
        panels: [
          { id: 1, title: 'Lag', targets: [{ expr: 'sum by (consumer_group) (kafka_consumer_lag)' }] },
          { id: 2, type: 'row', title: 'row', panels: [{ id: 3, title: 'Heap', targets: [{ expr: 'nodejs_heap_used_bytes' }] }] },
        ],
        templating: { list: [{ name: 'job', type: 'query', query: { query: 'label_values(up, job)', refId: 'v' } }] },
      };
      writeFileSync(join(root, 'dashboards', 'a.json'), JSON.stringify(dashboard));
      writeFileSync(
        join(root, 'alerts', 'a.rules.yaml'),
        [
          'groups:',
          '  - name: g',
          '    rules:',
          '      - record: job:lag:max',
          '        expr: max by (job) (kafka_consumer_lag)',
          '      - alert: LagHigh',
          '        expr: job:lag:max > 10',
        ].join('\n'),
      );
      const used = usedMetrics(root);
      assert.deepEqual([...used.keys()].sort(), ['kafka_consumer_lag', 'nodejs_heap_used_bytes', 'up'], 'metrics found');
      assert.deepEqual(used.get('kafka_consumer_lag'), ['dashboards/a.json panel 1 "Lag"', 'alerts/a.rules.yaml job:lag:max'], 'where lag is used');
      assert.deepEqual(used.get('nodejs_heap_used_bytes'), ['dashboards/a.json panel 3 "Heap"'], 'a panel inside a row is read');
      assert.deepEqual(used.get('up'), ['dashboards/a.json variable job'], 'variable queries are read');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
