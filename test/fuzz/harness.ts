/**
 * What every fuzzing property checks of an answer, and how requests are sent: the OCPI
 * envelope (status_code, OCPI timestamp; with 1000 the whole answer valid per the
 * description's 200 schema), never a 5xx. `FUZZ_SEED` and `FUZZ_RUNS` make a run
 * reproducible and longer; the seed is printed.
 */
import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Schema } from './openapi.js';

/** The seed of this run: `FUZZ_SEED`, else a fresh one, printed so a failure can be replayed. */
export const FUZZ_SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : Math.floor(Math.random() * 0x7fffffff);
/** Generated cases per property and target: a short run in `make test`, more by env. */
export const FUZZ_RUNS = process.env['FUZZ_RUNS'] ? Number(process.env['FUZZ_RUNS']) : 8;
console.log(`fuzz: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS} (set both to replay this run)`);

const OCPI_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;
// Formats (uri, uuid) are not OCPI's rules; the NOTICE's DateTime is a pattern by now.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
const compiled = new Map<Schema, ValidateFunction>();

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export interface Request {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** One request, as a replayable one-liner for failure messages. */
export const describeRequest = (request: Request): string =>
  `${request.method} ${request.url} headers=${JSON.stringify(Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'authorization')))} body=${request.body === undefined ? '-' : String(request.body).slice(0, 600)}`;

export async function send(request: Request): Promise<Answer> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export interface Envelope {
  status_code: number;
  status_message?: string;
  timestamp: string;
  data?: unknown;
}

/** Asserts the answer is no 5xx and an OCPI envelope; answers the envelope. */
export function assertEnvelope(answer: Answer, request: Request, okSchema?: Schema): Envelope {
  const what = describeRequest(request);
  assert.ok(answer.status < 500, `HTTP ${answer.status} for ${what}: ${answer.text.slice(0, 500)}`);
  const body = answer.body as Envelope | undefined;
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), `not a JSON object (HTTP ${answer.status}) for ${what}: ${answer.text.slice(0, 300)}`);
  assert.ok(Number.isInteger(body.status_code) && body.status_code >= 1000 && body.status_code < 5000, `status_code ${JSON.stringify(body.status_code)} for ${what}`);
  assert.ok(typeof body.timestamp === 'string' && OCPI_TIMESTAMP.test(body.timestamp), `timestamp ${JSON.stringify(body.timestamp)} for ${what}`);
  assert.ok(body.status_message === undefined || typeof body.status_message === 'string', `status_message ${JSON.stringify(body.status_message)} for ${what}`);
  if (body.status_code === 1000 && okSchema) {
    let validate = compiled.get(okSchema);
    if (!validate) {
      validate = ajv.compile(okSchema);
      compiled.set(okSchema, validate);
    }
    assert.ok(validate(body), `answer not valid per the description for ${what}: ${ajv.errorsText(validate.errors)} in ${answer.text.slice(0, 800)}`);
  }
  return body;
}
