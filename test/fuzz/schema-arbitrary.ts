/**
 * fast-check arbitraries from the OpenAPI description's JSON Schemas: values valid per the
 * schema (narrowed where OCPI 2.2.1 says more than the description encodes, see
 * `OCPI_REFINEMENTS`), and breakages of a valid value that the OCPI rules require a Receiver
 * to refuse (wrong type, required field missing or null, string too long, value outside its
 * enum, DateTime with an offset).
 */
import fc from 'fast-check';
import { OCPI_DATETIME, type Schema } from './openapi.js';

/** A value to put at a property, by `parent.property` or by `property` alone (the first wins). */
export type Refinements = Record<string, fc.Arbitrary<unknown>>;

const PRINTABLE = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const upper = (length: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: length, maxLength: length });
const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const twoDigits = (max: number) => fc.integer({ min: 0, max }).map((value) => String(value).padStart(2, '0'));

/** An OCPI DateTime in UTC (the NOTICE's override), between 2020 and 2030, `Z` or not, with or without fractions. */
export const ocpiDateTime = fc
  .tuple(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('ms', 's', 'noZ'))
  .map(([date, form]) => {
    const iso = date.toISOString();
    if (form === 'ms') return iso;
    const seconds = `${iso.slice(0, 19)}`;
    return form === 's' ? `${seconds}Z` : seconds;
  });

/**
 * Where OCPI 2.2.1 (its text; ../shared/ocpi/REFERENCE.md) is narrower than the description:
 * CiString(2)/CiString(3) parties are letters/alphanumerics, GeoLocation has 5 to 7 decimals,
 * hours are 00:00–23:59, currencies ISO 4217, countries ISO 3166 alpha-3, languages ISO 639-1,
 * time zones IANA, URLs http(s). Generating inside these keeps "valid" meaning valid OCPI.
 */
export const OCPI_REFINEMENTS: Refinements = {
  country_code: upper(2),
  party_id: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 3, maxLength: 3 }),
  latitude: fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 89 }), digits(5, 7)).map(([minus, whole, decimals]) => `${minus ? '-' : ''}${whole}.${decimals}`),
  longitude: fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 179 }), digits(5, 7)).map(([minus, whole, decimals]) => `${minus ? '-' : ''}${whole}.${decimals}`),
  'regular_hours.period_begin': fc.tuple(twoDigits(23), twoDigits(59)).map(([hours, minutes]) => `${hours}:${minutes}`),
  'regular_hours.period_end': fc.tuple(twoDigits(23), twoDigits(59)).map(([hours, minutes]) => `${hours}:${minutes}`),
  start_time: fc.tuple(twoDigits(23), twoDigits(59)).map(([hours, minutes]) => `${hours}:${minutes}`),
  end_time: fc.tuple(twoDigits(23), twoDigits(59)).map(([hours, minutes]) => `${hours}:${minutes}`),
  start_date: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
  end_date: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
  currency: fc.constantFrom('EUR', 'USD', 'GBP', 'CHF', 'SEK'),
  country: fc.constantFrom('NLD', 'BEL', 'DEU', 'FRA', 'GBR'),
  language: fc.constantFrom('en', 'nl', 'de', 'fr'),
  time_zone: fc.constantFrom('Europe/Amsterdam', 'Europe/Brussels', 'UTC', 'America/New_York'),
  // Image width and height are int(5).
  width: fc.integer({ min: 0, max: 99_999 }),
  height: fc.integer({ min: 0, max: 99_999 }),
};

export interface GenerateOptions {
  refinements?: Refinements;
  /** Largest array generated (the description rarely bounds them). */
  maxItems?: number;
}

/**
 * The node with `allOf` merged into one object, and the description's open enums
 * (`anyOf: [{enum}, {type: string}]`, kept open for later versions) closed: OCPI 2.2.1's
 * enums are closed lists, and a Receiver refuses other values.
 */
function merged(schema: Schema): Schema {
  const choices = schema.anyOf ?? schema.oneOf;
  const closed = choices?.find((choice) => Array.isArray(choice.enum));
  if (choices && closed && choices.every((choice) => choice === closed || (choice.type === 'string' && !choice.enum && !choice.pattern))) {
    const result: Schema = { ...schema, ...closed };
    delete result.anyOf;
    delete result.oneOf;
    return result;
  }
  if (!schema.allOf) return schema;
  const parts = schema.allOf.map(merged);
  const properties: Record<string, Schema> = {};
  const required = new Set<string>();
  const result: Schema = { ...schema };
  delete result.allOf;
  for (const part of [result, ...parts]) {
    Object.assign(properties, part.properties ?? {});
    for (const name of part.required ?? []) required.add(name);
    for (const key of ['type', 'enum', 'items', 'maxLength', 'minLength', 'pattern', 'format'] as const) if (part[key] !== undefined && result[key] === undefined) (result as Record<string, unknown>)[key] = part[key];
  }
  if (Object.keys(properties).length > 0) result.properties = properties;
  if (required.size > 0) result.required = [...required];
  return result;
}

function typeOf(schema: Schema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

/** A value valid per `schema` (and OCPI's refinements). */
export function validOf(schema: Schema, options: GenerateOptions = {}, parent = '', name = ''): fc.Arbitrary<unknown> {
  const refinements = options.refinements ?? OCPI_REFINEMENTS;
  const refined = refinements[`${parent}.${name}`] ?? refinements[name];
  if (refined) return refined;
  const node = merged(schema);
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.enum) return fc.constantFrom(...node.enum);
  const choices = node.oneOf ?? node.anyOf;
  if (choices) return fc.oneof(...choices.map((choice) => validOf(choice, options, parent, name)));
  switch (typeOf(node)) {
    case 'object': {
      const properties = node.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(properties)) model[key] = validOf(value, options, name, key);
      return fc.record(model, { requiredKeys: (node.required ?? []).filter((key) => key in properties) });
    }
    case 'array':
      return fc.array(validOf(node.items ?? {}, options, parent, name), { minLength: node.minItems ?? 0, maxLength: Math.max(node.minItems ?? 0, Math.min(node.maxItems ?? Infinity, options.maxItems ?? 3)) });
    case 'string':
      return stringOf(node);
    case 'integer':
      return fc.integer({ min: node.minimum ?? 0, max: node.maximum ?? 100_000 });
    case 'number':
      // Amounts and quantities with up to 2 decimals: the decimal places OCPI money needs.
      return fc.integer({ min: Math.ceil((node.minimum ?? 0) * 100), max: Math.floor((node.maximum ?? 100_000) * 100) }).map((cents) => cents / 100);
    case 'boolean':
      return fc.boolean();
    default:
      return fc.constant('x');
  }
}

function stringOf(node: Schema): fc.Arbitrary<string> {
  const max = node.maxLength ?? 64;
  const min = Math.max(node.minLength ?? 1, 1);
  if (node.pattern === OCPI_DATETIME) return ocpiDateTime;
  if (node.pattern) return fc.stringMatching(new RegExp(node.pattern)).filter((value) => value.length >= min && value.length <= max);
  if (node.format === 'uri' || node.format === 'url') return fc.webUrl({ validSchemes: ['https'] }).filter((value) => value.length <= max);
  if (node.format === 'uuid') return fc.uuid();
  // Printable ASCII without leading or trailing blanks: every OCPI string type admits it.
  return fc.string({ unit: PRINTABLE, minLength: min, maxLength: max }).filter((value) => value.trim() === value && value.length >= min);
}

/** One way to break a valid value at one field. */
export interface Breakage {
  /** Dotted path from the body's root, array items as `0`. */
  path: string;
  kind: 'wrong type' | 'missing' | 'null' | 'too long' | 'not in enum' | 'offset DateTime' | 'lower-case enum';
  /** The property name an error message should carry. */
  field: string;
  apply(value: unknown): unknown;
}

/** Every breakage the schema's constraints define, for fields at most `depth` objects deep. */
export function breakagesOf(schema: Schema, depth = 3, prefix: string[] = []): Breakage[] {
  const node = merged(schema);
  if (depth < 0) return [];
  const found: Breakage[] = [];
  const properties = node.properties ?? {};
  for (const [key, raw] of Object.entries(properties)) {
    const child = merged(raw);
    const path = [...prefix, key];
    const at = (replace: (old: unknown) => unknown) => (value: unknown) => withPath(value, path, replace);
    const base = { path: path.join('.'), field: key };
    const required = (node.required ?? []).includes(key);
    if (required) {
      found.push({ ...base, kind: 'missing', apply: at(() => REMOVE) });
      found.push({ ...base, kind: 'null', apply: at(() => null) });
    }
    const type = typeOf(child);
    if (type) found.push({ ...base, kind: 'wrong type', apply: at((old) => (old === undefined ? undefined : wrongTypeFor(type))) });
    if (child.enum && child.enum.every((value) => typeof value === 'string')) {
      found.push({ ...base, kind: 'not in enum', apply: at((old) => (old === undefined ? undefined : 'NOT_A_VALUE')) });
      if (child.enum.some((value) => String(value) !== String(value).toLowerCase())) {
        found.push({ ...base, kind: 'lower-case enum', apply: at((old) => (typeof old === 'string' && old !== old.toLowerCase() && !child.enum!.includes(old.toLowerCase()) ? old.toLowerCase() : undefined)) });
      }
    }
    if (type === 'string' && child.maxLength !== undefined && !child.enum) {
      const max = child.maxLength;
      found.push({ ...base, kind: 'too long', apply: at((old) => (old === undefined ? undefined : 'X'.repeat(max + 1))) });
    }
    if (child.pattern === OCPI_DATETIME) found.push({ ...base, kind: 'offset DateTime', apply: at((old) => (old === undefined ? undefined : '2024-06-24T12:39:09+02:00')) });
    if (type === 'object') found.push(...breakagesOf(child, depth - 1, path));
    if (type === 'array' && child.items && typeOf(merged(child.items)) === 'object') found.push(...breakagesOf(child.items, depth - 1, [...path, '0']));
  }
  return found;
}

const REMOVE = Symbol('remove');

function wrongTypeFor(type: string): unknown {
  switch (type) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'not a number';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    case 'object':
      return ['not an object'];
    default:
      return { unexpected: true };
  }
}

/**
 * A copy of `value` with the field at `path` replaced (or removed with `REMOVE`). Answers
 * `undefined` when the path is not in this value (an optional field not generated, an empty
 * array) or the replacement is `undefined`: the breakage does not apply to it.
 */
function withPath(value: unknown, path: string[], replace: (old: unknown) => unknown): unknown {
  const copy = structuredClone(value);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const last = path.at(-1)!;
  const container = node as Record<string, unknown>;
  const replacement = replace(container[last]);
  if (replacement === undefined) return undefined;
  if (replacement === REMOVE) {
    if (!(last in container)) return undefined;
    delete container[last];
  } else container[last] = replacement;
  return copy;
}

/** Arbitrary JSON that is not an object: what a body parser must survive and a route must refuse. */
export const notAnObject = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 3 }));

/**
 * Segments sent as they are (already %-encoded), every other one is encoded; malformed
 * escapes (`%FF`, a cut-off `%E0%A4%A`, invalid UTF-8 `%C3%28`) among them.
 */
export const RAW_SEGMENTS = ['%00', '%2F', '%20', '%FF', '%E0%A4%A', '%C3%28'];

/** A string for a path segment: mostly short printable, sometimes long, unicode or URL-hostile. */
export const pathSegment = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: PRINTABLE, minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
  // No `..`: the URL parser resolves it, so the request would leave the route under test.
  { weight: 1, arbitrary: fc.constantFrom('...', ...RAW_SEGMENTS, 'X'.repeat(300), ' ', '$where', '{"$gt":""}', '__proto__', 'constructor') },
);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * OCPI 2.2.1's cross-field rules (spec text, not expressible in the description), applied
 * to a generated object so "valid" means valid OCPI: Location §8.3.1 publish_allowed_to only
 * when publish is false, PublishTokenType needs uid/visual_number/group_id (type with uid,
 * issuer with visual_number), Hours needs regular_hours unless twentyfourseven; Tariff §11.4.6
 * a reservation element has only FLAT and TIME components; Session §9.3.1 times in order
 * (start, periods strictly ascending, end).
 */
export const CROSS_FIELD_RULES: Record<string, (value: Json) => Json> = {
  Location(location) {
    const copy = structuredClone(location);
    if (copy['publish'] === true) delete copy['publish_allowed_to'];
    else if (Array.isArray(copy['publish_allowed_to'])) copy['publish_allowed_to'] = copy['publish_allowed_to'].map((entry: Json) => ({ ...entry, uid: entry['uid'] ?? 'UID1', type: entry['type'] ?? 'RFID', ...(entry['visual_number'] ? { issuer: entry['issuer'] ?? 'Issuer' } : {}) }));
    const hours = copy['opening_times'];
    if (isObject(hours) && hours['twentyfourseven'] === false && !(Array.isArray(hours['regular_hours']) && hours['regular_hours'].length > 0)) hours['regular_hours'] = [{ weekday: 1, period_begin: '08:00', period_end: '18:00' }];
    return copy;
  },
  Tariff(tariff) {
    const copy = structuredClone(tariff);
    for (const element of (copy['elements'] as Json[] | undefined) ?? []) {
      if (isObject(element['restrictions']) && element['restrictions']['reservation'] !== undefined) {
        element['price_components'] = (element['price_components'] as Json[]).map((component) => (component['type'] === 'FLAT' || component['type'] === 'TIME' ? component : { ...component, type: 'TIME' }));
      }
    }
    return copy;
  },
  Session(session) {
    const copy = structuredClone(session);
    if (typeof copy['start_date_time'] !== 'string') return copy;
    const periods = (copy['charging_periods'] as Json[] | undefined) ?? [];
    const start = Date.parse(`${String(copy['start_date_time']).replace(/Z?$/, 'Z')}`);
    // Start, then each period a minute apart, then the end.
    periods.forEach((period, index) => (period['start_date_time'] = new Date(start + (index + 1) * 60_000).toISOString()));
    if (copy['end_date_time'] !== undefined) copy['end_date_time'] = new Date(start + (periods.length + 1) * 60_000).toISOString();
    return copy;
  },
};
