/**
 * Which metrics our dashboards and alerts use, so a test can hold them against what the mesh
 * really exports (the metric catalogue of issue 6). Not a PromQL parser: a tokenizer that knows
 * where identifiers are NOT metric names (functions, keywords, label names, durations, strings,
 * Grafana variables) and keeps the rest, `_bucket`/`_sum`/`_count` suffixes as written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** Binary operators and modifiers spelled as words. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Keywords that may be followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Aggregation operators: `sum by (x) (...)` has no `(` right after the operator. */
const AGGREGATIONS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);
/** Number literals spelled as identifiers. */
const NUMBER_WORDS = new Set(['inf', 'nan']);

const IDENT_START = /[A-Za-z_:]/;
const IDENT_PART = /[A-Za-z0-9_:]/;

/** Index just past the string literal that starts at `start` (", ' or `). */
function skipString(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

/** Index just past the bracket group that opens at `start`, strings inside skipped. */
function skipGroup(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < expr.length) {
    const char = expr[i] ?? '';
    if (char === '"' || char === "'" || char === '`') {
      i = skipString(expr, i);
      continue;
    }
    if (char === open) depth += 1;
    else if (char === close) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  return i;
}

function skipSpace(expr: string, start: number): number {
  let i = start;
  while (i < expr.length && /\s/.test(expr[i] ?? '')) i += 1;
  return i;
}

/** `__name__="x"` (or `=~` of a plain name) inside a selector names a metric too. */
function namesInSelector(selector: string): string[] {
  const names: string[] = [];
  for (const match of selector.matchAll(/__name__\s*=~?\s*"([A-Za-z_:][A-Za-z0-9_:]*)"/g)) {
    if (match[1]) names.push(match[1]);
  }
  return names;
}

/** Metric names used by a PromQL expression, each once, in order of first use. */
export function metricNamesIn(expr: string): string[] {
  const found: string[] = [];
  const add = (name: string) => {
    if (!found.includes(name)) found.push(name);
  };
  let i = 0;
  while (i < expr.length) {
    const char = expr[i] ?? '';
    if (char === '#') {
      while (i < expr.length && expr[i] !== '\n') i += 1;
    } else if (char === '"' || char === "'" || char === '`') {
      i = skipString(expr, i);
    } else if (char === '{') {
      const end = skipGroup(expr, i, '{', '}');
      namesInSelector(expr.slice(i, end)).forEach(add);
      i = end;
    } else if (char === '[') {
      // A range or subquery: durations, `5m:1m`, `$__rate_interval`.
      i = skipGroup(expr, i, '[', ']');
    } else if (char === '$') {
      // Grafana variables: $job, ${job}, ${job:regex}, $__rate_interval.
      i += 1;
      if (expr[i] === '{') i = skipGroup(expr, i, '{', '}');
      else while (i < expr.length && IDENT_PART.test(expr[i] ?? '')) i += 1;
    } else if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      // Numbers and durations: 0.99, 1e3, 0x1F, 5m, 1h30m.
      while (i < expr.length && /[0-9A-Za-z_.]/.test(expr[i] ?? '')) i += 1;
    } else if (IDENT_START.test(char)) {
      const start = i;
      while (i < expr.length && IDENT_PART.test(expr[i] ?? '')) i += 1;
      const word = expr.slice(start, i);
      const next = skipSpace(expr, i);
      const lower = word.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[next] === '(') i = skipGroup(expr, next, '(', ')');
      } else if (KEYWORDS.has(lower) || NUMBER_WORDS.has(lower)) {
        // an operator or a number
      } else if (expr[next] === '(') {
        // a function or an aggregation: its arguments are read as the loop goes on
      } else if (AGGREGATIONS.has(lower) && /^(by|without)\b/i.test(expr.slice(next))) {
        // `sum by (job) (...)`
      } else {
        add(word);
      }
    } else {
      i += 1;
    }
  }
  return found;
}

/**
 * Metric names in a Grafana Prometheus variable query: `label_values(metric{...}, label)`,
 * `query_result(expr)`, `metrics(regex)` (a regex, no name), `label_names()`, or plain PromQL.
 */
export function metricNamesInVariableQuery(query: string): string[] {
  const trimmed = query.trim();
  const labelValues = /^label_values\s*\(([\s\S]*)\)$/.exec(trimmed);
  if (labelValues) {
    const args = labelValues[1] ?? '';
    // One argument: a label name over every series, no metric.
    const end = topLevelComma(args);
    return end < 0 ? [] : metricNamesIn(args.slice(0, end));
  }
  const queryResult = /^query_result\s*\(([\s\S]*)\)$/.exec(trimmed);
  if (queryResult) return metricNamesIn(queryResult[1] ?? '');
  if (/^(metrics|label_names)\s*\(/.test(trimmed)) return [];
  return metricNamesIn(trimmed);
}

function topLevelComma(text: string): number {
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"' || char === "'" || char === '`') i = skipString(text, i);
    else if (char === '{') i = skipGroup(text, i, '{', '}');
    else if (char === '(') i = skipGroup(text, i, '(', ')');
    else if (char === '[') i = skipGroup(text, i, '[', ']');
    else if (char === ',') return i;
    else i += 1;
  }
  return -1;
}

/** The repository's observability folder (dashboards/, alerts/). */
export const observabilityDir = fileURLToPath(new URL('../../observability/', import.meta.url));

export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: DashboardPanel[];
}

export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: DashboardPanel[];
  templating?: { list?: { name?: string; type?: string; query?: unknown; definition?: string }[] };
}

export interface AlertRule {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleFile {
  groups?: { name?: string; interval?: string; rules?: AlertRule[] }[];
}

/** Every panel of a dashboard, those inside collapsed rows too. */
export function panelsOf(dashboard: Dashboard): DashboardPanel[] {
  const all: DashboardPanel[] = [];
  const visit = (panels: DashboardPanel[] | undefined) => {
    for (const panel of panels ?? []) {
      all.push(panel);
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return all;
}

function filesIn(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

export const dashboardFiles = (root = observabilityDir): string[] => filesIn(join(root, 'dashboards'), '.json');

export const ruleFiles = (root = observabilityDir): string[] => filesIn(join(root, 'alerts'), '.rules.yaml');

export function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

export function readRuleFile(file: string): RuleFile {
  return parseYaml(readFileSync(file, 'utf8')) as RuleFile;
}

function variableQueryText(query: unknown): string | undefined {
  if (typeof query === 'string') return query;
  if (query && typeof query === 'object' && 'query' in query && typeof query.query === 'string') return query.query;
  return undefined;
}

/**
 * Metric → where it is used, over every dashboard panel expr, dashboard variable query and
 * alert or recording rule expr under `root` (default: the repository's observability/).
 * Places read like `dashboards/mesh-overview.json panel 3 "HTTP requests"`.
 */
export function usedMetrics(root = observabilityDir): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const note = (names: string[], where: string) => {
    for (const name of names) {
      const places = used.get(name) ?? [];
      if (!places.includes(where)) places.push(where);
      used.set(name, places);
    }
  };
  for (const file of dashboardFiles(root)) {
    const name = relative(root, file);
    const dashboard = readDashboard(file);
    for (const panel of panelsOf(dashboard)) {
      for (const target of panel.targets ?? []) {
        if (target.expr) note(metricNamesIn(target.expr), `${name} panel ${panel.id ?? '?'} "${panel.title ?? ''}"`);
      }
    }
    for (const variable of dashboard.templating?.list ?? []) {
      const query = variable.type === 'query' ? variableQueryText(variable.query) : undefined;
      if (query) note(metricNamesInVariableQuery(query), `${name} variable ${variable.name ?? '?'}`);
    }
  }
  const recorded = new Set<string>();
  for (const file of ruleFiles(root)) {
    const name = relative(root, file);
    for (const group of readRuleFile(file).groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (rule.record) recorded.add(rule.record);
        if (rule.expr) note(metricNamesIn(rule.expr), `${name} ${rule.alert ?? rule.record ?? '?'}`);
      }
    }
  }
  // Series our own recording rules make are not scraped from the mesh.
  for (const name of recorded) used.delete(name);
  return used;
}
