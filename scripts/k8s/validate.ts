/**
 * Strict, offline validation of rendered Kubernetes objects against the schemas that
 * infra/install.sh put in .cache/k8s/: the Kubernetes API's JSON schemas (strict variant:
 * unknown fields are errors) and the CRDs of Strimzi and the prometheus-operator, whose
 * OpenAPI schemas are made strict the way the API server prunes (an unknown field is an
 * error unless the schema preserves unknown fields). An object of a kind with no schema is an
 * error too: nothing passes unchecked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';

export const K8S_SCHEMA_DIR = 'schemas/kubernetes';
export const CRD_DIRS = ['crds/strimzi', 'crds/monitoring'];
const CORE_DEFINITIONS_ID = 'https://kubernetes.io/api/_definitions.json';
const OBJECT_META_REF = `${CORE_DEFINITIONS_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

export interface Violation {
  /** `Kind namespace/name` of the object. */
  object: string;
  /** JSON pointer of the field, `/spec/template/...`; `/` for the object itself. */
  field: string;
  message: string;
}

export type K8sObject = Record<string, unknown> & { apiVersion?: unknown; kind?: unknown; metadata?: unknown };

type Schema = Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function describeObject(object: K8sObject): string {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '(no name)';
  const namespace = typeof metadata['namespace'] === 'string' ? `${metadata['namespace']}/` : '';
  return `${typeof object.kind === 'string' ? object.kind : '(no kind)'} ${namespace}${name}`;
}

/** Multi-document YAML (kustomize's output) as objects; a YAML error throws. */
export function parseManifests(text: string, source = 'manifest'): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((error) => error.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isRecord(value)) throw new Error(`${source}: a document is not an object`);
    objects.push(value);
  }
  return objects;
}

/**
 * A CRD version's openAPIV3Schema as a strict JSON schema: objects reject fields they do not
 * declare (unless x-kubernetes-preserve-unknown-fields), int-or-string is either, nullable is
 * honoured, and metadata is the real ObjectMeta.
 */
export function strictCrdSchema(openApi: Schema, group: string, version: string, kind: string): Schema {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (!isRecord(node)) return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && isRecord(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, convert(child)]));
      } else if (key === 'additionalProperties' || key === 'items' || key === 'not') {
        out[key] = typeof value === 'boolean' ? value : convert(value);
      } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
        out[key] = convert(value);
      } else if (!key.startsWith('x-kubernetes-') && key !== 'nullable' && key !== 'description') {
        out[key] = value;
      }
    }
    if (node['x-kubernetes-int-or-string'] === true) {
      delete out['type'];
      out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
    }
    const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
    if (out['type'] === 'object' && !preserve && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
    if (node['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
    return out;
  };
  const schema = convert(openApi) as Schema;
  const properties = isRecord(schema['properties']) ? { ...schema['properties'] } : {};
  properties['apiVersion'] = { const: `${group}/${version}` };
  properties['kind'] = { const: kind };
  properties['metadata'] = { $ref: OBJECT_META_REF };
  return { ...schema, properties, required: [...new Set(['apiVersion', 'kind', 'metadata', ...((schema['required'] as string[] | undefined) ?? [])])] };
}

/** kubernetes-json-schema's file name of a built-in kind: `deployment-apps-v1.json`. */
export function coreSchemaFile(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const groupPart = group ? `-${group.split('.')[0]}` : '';
  return `${kind.toLowerCase()}${groupPart}-${version}.json`;
}

/** CRD patterns are Go (RE2) expressions: turn the inline flag `(?i)` into a JavaScript flag. */
function goRegExp(pattern: string, flags: string): RegExp {
  const inline = /\(\?i\)/g;
  return inline.test(pattern) ? new RegExp(pattern.replace(inline, ''), `${flags}i`) : new RegExp(pattern, flags);
}
goRegExp.code = 'goRegExp';

function message(error: ErrorObject): { field: string; text: string } {
  const field = error.instancePath || '/';
  switch (error.keyword) {
    case 'additionalProperties':
      return { field: `${error.instancePath}/${String(error.params['additionalProperty'])}`, text: 'unknown field' };
    case 'required':
      return { field, text: `missing required field "${String(error.params['missingProperty'])}"` };
    case 'const':
      return { field, text: `must be ${JSON.stringify(error.params['allowedValue'])}` };
    case 'type': {
      // The Kubernetes schemas allow null beside every type: name only the real one.
      const types = String(error.params['type']).split(',').filter((type) => type !== 'null');
      return { field, text: `must be ${types.join(' or ')}` };
    }
    default:
      return { field, text: error.message ?? error.keyword };
  }
}

export class ManifestValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, code: { regExp: goRegExp } });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly crdSchemas = new Map<string, Schema>();

  /** `cacheDir` is .cache/k8s (infra/install.sh). */
  constructor(private readonly cacheDir: string) {
    const coreDir = join(cacheDir, K8S_SCHEMA_DIR);
    if (!existsSync(join(coreDir, '_definitions.json'))) {
      throw new Error(`no Kubernetes schemas in ${coreDir}: run make install (infra/install.sh installs them)`);
    }
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    for (const name of ['double', 'float', 'byte', 'date-time', 'date', 'duration', 'uri', 'password', 'int-or-string', 'quantity']) {
      this.ajv.addFormat(name, true);
    }
    this.ajv.addSchema(JSON.parse(readFileSync(join(coreDir, '_definitions.json'), 'utf8')) as Schema);
    for (const dir of CRD_DIRS) {
      const full = join(cacheDir, dir);
      if (!existsSync(full)) throw new Error(`no CRDs in ${full}: run make install`);
      for (const file of readdirSync(full).filter((name) => name.endsWith('.yaml')).sort()) {
        for (const crd of parseManifests(readFileSync(join(full, file), 'utf8'), join(full, file))) this.addCrd(crd);
      }
    }
  }

  private addCrd(crd: K8sObject): void {
    const spec = crd['spec'];
    if (crd.kind !== 'CustomResourceDefinition' || !isRecord(spec)) return;
    const group = spec['group'] as string;
    const kind = (spec['names'] as { kind: string }).kind;
    for (const version of (spec['versions'] as { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[]) ?? []) {
      const openApi = version.schema?.openAPIV3Schema;
      if (version.served === false || !openApi) continue;
      this.crdSchemas.set(`${group}/${version.name} ${kind}`, strictCrdSchema(openApi, group, version.name, kind));
    }
  }

  /** The kinds a CRD schema is loaded for, `group/version Kind`. */
  customKinds(): string[] {
    return [...this.crdSchemas.keys()].sort();
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion} ${kind}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    let schema = this.crdSchemas.get(key);
    if (!schema) {
      const file = join(this.cacheDir, K8S_SCHEMA_DIR, coreSchemaFile(apiVersion, kind));
      if (!existsSync(file)) return undefined;
      schema = JSON.parse(readFileSync(file, 'utf8')) as Schema;
    }
    const validate = this.ajv.compile(schema);
    this.compiled.set(key, validate);
    return validate;
  }

  validate(object: K8sObject): Violation[] {
    const id = describeObject(object);
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      return [{ object: id, field: '/', message: 'apiVersion and kind must be strings' }];
    }
    const metadata = isRecord(object.metadata) ? object.metadata : undefined;
    const violations: Violation[] = [];
    // Not in the OpenAPI schemas, but the API server refuses an object without it.
    if (typeof metadata?.['name'] !== 'string' || metadata['name'].length === 0) {
      violations.push({ object: id, field: '/metadata/name', message: 'missing required field "name"' });
    }
    const validate = this.validatorFor(apiVersion, kind);
    if (!validate) return [...violations, { object: id, field: '/', message: `no schema for ${apiVersion} ${kind} (unknown kind or CRD)` }];
    if (!validate(object)) {
      const seen = new Set<string>();
      for (const error of validate.errors ?? []) {
        // A failed oneOf/anyOf is reported through its branches' own errors.
        if (error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
        const { field, text } = message(error);
        const key = `${field} ${text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        violations.push({ object: id, field, message: text });
      }
      if (violations.length === 0) violations.push({ object: id, field: '/', message: 'does not match its schema' });
    }
    return violations;
  }
}
