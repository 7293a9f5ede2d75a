/**
 * Offline checks of observability/: Grafana dashboards and the Prometheus rule file are well
 * formed, use only the metric catalogue's names and labels, and every alert has its runbook
 * section. (promtool is not built here: it takes more than 15 minutes on 2 cores; with it,
 * `promtool check rules observability/alerts/*.rules.yaml` is the extra check.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { OUTSIDE_METRICS, scrapedSeries, TARGET_LABELS } from './catalogue.js';
import { dashboardFiles, metricNamesIn, panelsOf, readDashboard, readRuleFile, ruleFiles, usedMetrics, type AlertRule } from './promql.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const runbook = readFileSync(join(repo, 'docs', 'runbook.md'), 'utf8');
const series = scrapedSeries();
const allLabels = new Set<string>([...TARGET_LABELS, 'le', ...[...series.values()].flat()]);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let unique = slug;
    for (let n = 1; anchors.has(unique); n += 1) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  return anchors;
}

/** Problems with the label names an expression uses: selectors per metric, by/without lists. */
function labelProblems(expr: string): string[] {
  const problems: string[] = [];
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const match of withoutStrings.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const metric = match[1] ?? '';
    const known = series.get(metric);
    if (!known) continue;
    for (const label of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      const name = label[1] ?? '';
      if (!known.includes(name) && !TARGET_LABELS.includes(name)) problems.push(`${metric} has no label ${name}`);
    }
  }
  for (const list of withoutStrings.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)) {
    for (const name of (list[1] ?? '').split(',').map((item) => item.trim()).filter(Boolean)) {
      if (!allLabels.has(name)) problems.push(`no metric has label ${name}`);
    }
  }
  return problems;
}

const GRAFANA_BUILTINS = new Set(['__rate_interval', '__interval', '__range', '__range_s', '__interval_ms']);

describe('dashboards', () => {
  const files = dashboardFiles();

  test('the four dashboards exist', () => {
    assert.deepEqual(files.map((file) => basename(file)), ['kafka-lag.json', 'mesh-overview.json', 'partner-health.json', 'service.json'], 'dashboard files');
  });

  test('uids and titles are unique across dashboards', () => {
    const dashboards = files.map(readDashboard);
    const uids = dashboards.map((dashboard) => dashboard.uid);
    const titles = dashboards.map((dashboard) => dashboard.title);
    assert.ok(uids.every((uid) => typeof uid === 'string' && /^[a-zA-Z0-9_-]{1,40}$/.test(uid)), `every uid is a Grafana uid: ${uids.join(', ')}`);
    assert.equal(new Set(uids).size, uids.length, `duplicate uid among ${uids.join(', ')}`);
    assert.equal(new Set(titles).size, titles.length, `duplicate title among ${titles.join(', ')}`);
  });

  for (const file of files) {
    describe(basename(file), () => {
      const dashboard = readDashboard(file);
      const panels = panelsOf(dashboard);
      const variables = dashboard.templating?.list ?? [];

      test('schema 39+, a prometheus ${datasource} variable', () => {
        assert.ok((dashboard.schemaVersion ?? 0) >= 39, `schemaVersion ${dashboard.schemaVersion}`);
        const datasource = variables.find((variable) => variable.name === 'datasource');
        assert.ok(datasource?.type === 'datasource' && datasource.query === 'prometheus', 'datasource variable of type datasource, query prometheus');
      });

      test('panel ids are unique and every panel has a PromQL query on ${datasource}', () => {
        const ids = panels.map((panel) => panel.id);
        assert.ok(ids.every((id) => Number.isInteger(id)), 'every panel has an integer id');
        assert.equal(new Set(ids).size, ids.length, `duplicate panel id in ${ids.join(',')}`);
        for (const panel of panels.filter((candidate) => candidate.type !== 'row')) {
          const raw = panel as { datasource?: { uid?: string }; targets?: { expr?: string; datasource?: { uid?: string } }[] };
          assert.ok((raw.targets ?? []).length > 0, `panel ${panel.id} "${panel.title}" has no query`);
          for (const target of raw.targets ?? []) {
            assert.ok(typeof target.expr === 'string' && target.expr.trim().length > 0, `panel ${panel.id} "${panel.title}" has a target without expr`);
            assert.equal(target.datasource?.uid ?? raw.datasource?.uid, '${datasource}', `panel ${panel.id} queries another datasource`);
            assert.ok(metricNamesIn(target.expr).length > 0, `panel ${panel.id} "${panel.title}": no metric in ${target.expr}`);
          }
        }
      });

      test('every variable an expression uses is defined', () => {
        const defined = new Set(variables.map((variable) => variable.name));
        for (const panel of panels) {
          for (const target of panel.targets ?? []) {
            for (const match of (target.expr ?? '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
              const name = match[1] ?? '';
              assert.ok(defined.has(name) || GRAFANA_BUILTINS.has(name), `panel ${panel.id} uses undefined variable $${name}`);
            }
          }
        }
      });

      test('labels in selectors and groupings exist on the metrics', () => {
        for (const panel of panels) {
          for (const target of panel.targets ?? []) {
            assert.deepEqual(labelProblems(target.expr ?? ''), [], `panel ${panel.id} "${panel.title}": ${target.expr}`);
          }
        }
      });
    });
  }
});

const REQUIRED_ALERTS = [
  'VoltmeshGatewayHigh5xxRatio',
  'VoltmeshGrpcHighErrorRatio',
  'VoltmeshKafkaConsumerLagHigh',
  'VoltmeshKafkaDlqMessages',
  'VoltmeshPartnerDeliveryStalled',
  'VoltmeshPartnerDeliveryFailures',
  'VoltmeshPartnerHandshakeFailures',
  'VoltmeshPodRestarting',
  'VoltmeshTargetDown',
  'VoltmeshEventLoopDelayHigh',
];

describe('alert rules', () => {
  const files = ruleFiles();
  const rules: AlertRule[] = files.flatMap((file) => (readRuleFile(file).groups ?? []).flatMap((group) => group.rules ?? []));
  const alerts = rules.filter((rule) => rule.alert);
  const anchors = headingAnchors(runbook);

  test('the rule file holds the alerts the runbook promises', () => {
    assert.deepEqual(files.map((file) => basename(file)), ['voltmesh.rules.yaml'], 'rule files');
    const names = alerts.map((rule) => rule.alert);
    for (const name of REQUIRED_ALERTS) assert.ok(names.includes(name), `alert ${name} is missing`);
    assert.equal(new Set(names).size, names.length, `duplicate alert names in ${names.join(', ')}`);
  });

  for (const rule of alerts) {
    test(`${rule.alert}: for, severity, summary, description, runbook section, labels`, () => {
      assert.match(rule.for ?? '', /^\d+[smh]$/, `${rule.alert} needs for: (a duration)`);
      assert.ok(['critical', 'warning', 'info'].includes(rule.labels?.['severity'] ?? ''), `${rule.alert} severity ${rule.labels?.['severity']}`);
      assert.ok((rule.annotations?.['summary'] ?? '').length > 10, `${rule.alert} needs a summary`);
      assert.ok((rule.annotations?.['description'] ?? '').length > 10, `${rule.alert} needs a description`);
      const url = rule.annotations?.['runbook_url'] ?? '';
      const anchor = /^docs\/runbook\.md#([a-z0-9_-]+)$/.exec(url)?.[1];
      assert.ok(anchor, `${rule.alert} runbook_url ${url} is not docs/runbook.md#<section>`);
      assert.ok(anchors.has(anchor), `${rule.alert}: docs/runbook.md has no section #${anchor}`);
      assert.equal(anchor, rule.alert?.toLowerCase(), `${rule.alert}: the runbook section is named after the alert`);
      assert.deepEqual(labelProblems(rule.expr ?? ''), [], `${rule.alert}: ${rule.expr}`);
    });
  }
});

describe('metrics used by dashboards and alerts', () => {
  test('are all in the catalogue (or from Prometheus / kube-state-metrics)', () => {
    const used = usedMetrics();
    const unknown = [...used].filter(([name]) => !series.has(name)).map(([name, where]) => `${name} (${where.join('; ')})`);
    assert.deepEqual(unknown, [], 'metrics outside the catalogue');
    for (const name of ['kafka_consumer_lag', 'dispatcher_oldest_undelivered_age_seconds', 'rpc_server_duration_seconds_bucket', 'up']) {
      assert.ok(used.has(name), `${name} is used somewhere`);
    }
  });

  test('every catalogue metric is shown somewhere', () => {
    const used = new Set([...usedMetrics().keys()].map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    const unused = [...series.keys()]
      .map((name) => name.replace(/_(bucket|sum|count)$/, ''))
      .filter((name) => !(name in OUTSIDE_METRICS) && !used.has(name));
    assert.deepEqual([...new Set(unused)], [], 'catalogue metrics no dashboard or alert uses');
  });
});
