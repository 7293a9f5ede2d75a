/**
 * Mutations of valid OCPI bodies for fuzzing the Receiver endpoints. Each says whether the
 * gateway must accept it (still valid OCPI) or reject it (and which field the error names).
 */
export interface Mutation {
  name: string;
  body: unknown;
  expect: 'accept' | 'reject';
  /** For rejections: the field the error message must name. */
  field?: string;
}

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Sets (or with `undefined`, deletes) the value at a dotted path such as `evses.0.status`. */
export function setPath(body: Json, path: string, value: unknown): Json {
  const copy = clone(body);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

export interface FieldRules {
  /** path → max length (string(n) / CiString(n)). */
  lengths: Record<string, number>;
  /** path → an enum field. */
  enums: string[];
  /** Required fields: missing or null is a 2001 naming them. */
  required: string[];
  /** Optional fields: null is read as absent and accepted. */
  optional: string[];
  /** DateTime fields. */
  timestamps: string[];
}

/** Every mutation of `valid` that the rules describe. */
export function mutationsOf(valid: Json, rules: FieldRules): Mutation[] {
  const mutations: Mutation[] = [];
  const leaf = (path: string) => path.split('.').at(-1)!;
  for (const [path, max] of Object.entries(rules.lengths)) {
    mutations.push({ name: `${path} of ${max} characters`, body: setPath(valid, path, 'X'.repeat(max)), expect: 'accept' });
    mutations.push({ name: `${path} of ${max + 1} characters`, body: setPath(valid, path, 'X'.repeat(max + 1)), expect: 'reject', field: leaf(path) });
  }
  for (const path of rules.enums) {
    mutations.push({ name: `${path} not in its enum`, body: setPath(valid, path, 'NOT_A_VALUE'), expect: 'reject', field: leaf(path) });
    mutations.push({ name: `${path} lower case`, body: setPath(valid, path, String(getPath(valid, path)).toLowerCase()), expect: 'reject', field: leaf(path) });
  }
  for (const path of rules.required) {
    mutations.push({ name: `${path} missing`, body: setPath(valid, path, undefined), expect: 'reject', field: leaf(path) });
    mutations.push({ name: `${path} null`, body: setPath(valid, path, null), expect: 'reject', field: leaf(path) });
  }
  for (const path of rules.optional) {
    mutations.push({ name: `${path} null`, body: setPath(valid, path, null), expect: 'accept' });
  }
  for (const path of rules.timestamps) {
    mutations.push({ name: `${path} with an offset`, body: setPath(valid, path, '2019-06-24T12:39:09+02:00'), expect: 'reject', field: leaf(path) });
    mutations.push({ name: `${path} without Z`, body: setPath(valid, path, '2019-06-24T12:39:09'), expect: 'accept' });
    mutations.push({ name: `${path} not a date`, body: setPath(valid, path, '24/06/2019'), expect: 'reject', field: leaf(path) });
  }
  return mutations;
}

function getPath(body: Json, path: string): unknown {
  let node: unknown = body;
  for (const key of path.split('.')) node = (node as Record<string, unknown>)[key];
  return node;
}
