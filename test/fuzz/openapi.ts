/**
 * The OCPI 2.2.1 OpenAPI description in ../shared/ocpi/openapi (an unmodified copy, CC BY-ND:
 * read, never edited), loaded with every `$ref` resolved across its files, and the two
 * overrides its NOTICE.md asks of every harness: OCPI DateTime (UTC, `Z` optional, no offset)
 * instead of JSON-Schema `date-time`, and the 2026 errata's Location.address 255 and
 * Location.state 45.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@voltmesh/testing';

export const OPENAPI_DIR = join(repoRoot(), '..', 'shared', 'ocpi', 'openapi', 'ocpi-2.2.1');
export const OCPI_DATETIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z?$';

/** A JSON Schema node of the description, `$ref`s resolved (shared nodes stay shared). */
export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  description?: string;
  [key: string]: unknown;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  operationId: string;
  parameters: Parameter[];
  requestBody?: Schema;
  /** The 200 answer's schema (the envelope), when the description gives one. */
  okResponse?: Schema;
}

type Node = Record<string, unknown>;

class Loader {
  private readonly files = new Map<string, Node>();
  private readonly resolved = new Map<string, unknown>();

  file(path: string): Node {
    let doc = this.files.get(path);
    if (!doc) {
      doc = parse(readFileSync(path, 'utf8')) as Node;
      this.files.set(path, doc);
    }
    return doc;
  }

  /** The node at `ref` (relative to `from`), every nested `$ref` resolved. */
  ref(from: string, ref: string): unknown {
    const [filePart, pointer = ''] = ref.split('#');
    const file = filePart ? resolve(dirname(from), filePart) : from;
    const key = `${file}#${pointer}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    let node: unknown = this.file(file);
    for (const segment of pointer.split('/').filter(Boolean)) {
      node = (node as Node)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
      if (node === undefined) throw new Error(`unresolvable $ref ${ref} from ${from}`);
    }
    // A placeholder first, so a recursive schema ends in a shared node instead of a loop.
    const target: Node = Array.isArray(node) ? ([] as unknown as Node) : {};
    this.resolved.set(key, target);
    const value = this.deref(file, node);
    if (typeof value === 'object' && value !== null) Object.assign(target, value);
    else this.resolved.set(key, value);
    return this.resolved.get(key);
  }

  deref(file: string, node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.deref(file, item));
    if (typeof node !== 'object' || node === null) return node;
    const object = node as Node;
    if (typeof object['$ref'] === 'string') return this.ref(file, object['$ref']);
    return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, this.deref(file, value)]));
  }
}

const loader = new Loader();
const ROOT = join(OPENAPI_DIR, 'openapi.yaml');

/** A named schema of one of the description's files, e.g. `schema('locations.yaml', 'Location')`. */
export function schema(file: string, name: string): Schema {
  return loader.ref(join(OPENAPI_DIR, file), `#/components/schemas/${name}`) as Schema;
}

/**
 * An operation of the root description's `paths` (e.g. `/sessions/{country_code}/{party_id}/{session_id}`,
 * `put`), or of its `webhooks` as `webhook:command-result`.
 */
export function operation(path: string, method: string): Operation {
  const pointer = path.startsWith('webhook:') ? `#/webhooks/${path.slice('webhook:'.length)}` : `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const item = loader.ref(ROOT, pointer) as Node;
  const op = item[method.toLowerCase()] as Node | undefined;
  if (!op) throw new Error(`the OpenAPI description has no ${method} ${path}`);
  const parameters = [...((item['parameters'] as Parameter[] | undefined) ?? []), ...((op['parameters'] as Parameter[] | undefined) ?? [])];
  const content = (body: unknown): Schema | undefined => ((body as Node | undefined)?.['content'] as Record<string, { schema: Schema }> | undefined)?.['application/json']?.schema;
  const responses = (op['responses'] as Record<string, unknown> | undefined) ?? {};
  return {
    operationId: String(op['operationId']),
    parameters,
    ...(op['requestBody'] ? { requestBody: content(op['requestBody'])! } : {}),
    ...(content(responses['200']) ? { okResponse: content(responses['200'])! } : {}),
  };
}

/** Every (path, method) of the root description: what a coverage check compares our routes to. */
export function operations(): { path: string; method: string; operationId: string }[] {
  const paths = loader.file(ROOT)['paths'] as Record<string, unknown>;
  return Object.keys(paths).flatMap((path) => {
    const item = loader.ref(ROOT, `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}`) as Node;
    return ['get', 'put', 'post', 'patch', 'delete'].filter((method) => item[method]).map((method) => ({ path, method, operationId: String((item[method] as Node)['operationId']) }));
  });
}

/** NOTICE.md's overrides, applied once to the resolved graph. */
function applyNotice(): void {
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    const object = node as Schema;
    if (object.format === 'date-time') {
      delete object.format;
      object.pattern = OCPI_DATETIME;
    }
    for (const value of Object.values(object)) visit(value);
  };
  const webhooks = Object.keys(loader.file(ROOT)['webhooks'] as Node).map((name) => ({ path: `webhook:${name}`, method: 'post' }));
  for (const op of [...operations(), ...webhooks]) {
    const resolved = operation(op.path, op.method);
    visit(resolved.parameters);
    visit(resolved.requestBody);
    visit(resolved.okResponse);
  }
  const location = schema('locations.yaml', 'Location');
  location.properties!['address']!.maxLength = 255;
  location.properties!['state']!.maxLength = 45;
}
applyNotice();
