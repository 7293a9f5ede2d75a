/**
 * Property-based fuzzing of every OCPI route the gateway serves, generated from the OCPI 2.2.1
 * OpenAPI description (fast-check), against a whole mesh on real Kafka and FerretDB, with a
 * partner CPO, a partner eMSP and a hub as callers. Properties:
 * - any request (path ids, query, routing headers, body: valid, broken, not JSON objects) is
 *   answered without a 5xx, in an OCPI envelope, and at 1000 valid per the description;
 * - a body broken where OCPI says it must be refused is not 1000 and nothing of it is stored;
 * - a valid generated object is accepted (1000) and can be read back.
 * `FUZZ_SEED` replays a run, `FUZZ_RUNS` lengthens it (cases per property and route). The
 * limits (limits.ts) run on the same mesh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { credentials as grpcCredentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { locationService, tariffService, tokenService } from '@voltmesh/proto';
import { aLocation, aTariff, aToken, anEvse, startSimPartner, type SimPartner } from '@voltmesh/testing';
import { connectPartner, eventually, http, ocpiToken, startTestMesh, type RunningMesh } from '../e2e/mesh-fixture.js';
import { NOT_SERVED, TARGETS, type Caller, type Target } from './endpoints.js';
import { assertEnvelope, describeRequest, FUZZ_RUNS, FUZZ_SEED, send, type Envelope, type Request } from './harness.js';
import { describeExampleMutations } from './examples.js';
import { BODY_LIMIT, describeLimits, REQUEST_TIMEOUT_MS } from './limits.js';
import { operations } from './openapi.js';
import { breakagesOf, CROSS_FIELD_RULES, notAnObject, pathSegment, RAW_SEGMENTS, validOf, type Breakage } from './schema-arbitrary.js';

const PARTIES: Record<Caller, { country_code: string; party_id: string }> = {
  cpo: { country_code: 'BE', party_id: 'BEC' },
  emsp: { country_code: 'DE', party_id: 'EMF' },
  hub: { country_code: 'FR', party_id: 'HUB' },
};
const OUR_EMSP_TOKEN = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'FUZZ-OWN-1', contract_id: 'NL-VLM-C00000099-X', last_updated: new Date().toISOString() });
const COMMANDS = ['CANCEL_RESERVATION', 'RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'];

/** Which body field carries which path id, per route. */
const ID_FIELDS: Record<string, Record<string, string>> = {
  [`PUT /2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}`]: { country_code: 'country_code', party_id: 'party_id', location_id: 'id' },
  [`PUT /2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}/{evse_uid}`]: { evse_uid: 'uid' },
  [`PUT /2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}/{evse_uid}/{connector_id}`]: { connector_id: 'id' },
  [`PUT /2.2.1/emsp/tariffs/{country_code}/{party_id}/{tariff_id}`]: { country_code: 'country_code', party_id: 'party_id', tariff_id: 'id' },
  [`PUT /2.2.1/emsp/sessions/{country_code}/{party_id}/{session_id}`]: { country_code: 'country_code', party_id: 'party_id', session_id: 'id' },
  [`PUT /2.2.1/cpo/tokens/{country_code}/{party_id}/{token_uid}`]: { country_code: 'country_code', party_id: 'party_id', token_uid: 'uid' },
  [`PUT /2.2.1/hubclientinfo/{country_code}/{party_id}`]: { country_code: 'country_code', party_id: 'party_id' },
};

/** Which OCPI cross-field rules a route's valid bodies follow. */
const CROSS_FIELD_TARGETS: Record<string, string> = {
  [`PUT /2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}`]: 'Location',
  [`PUT /2.2.1/emsp/tariffs/{country_code}/{party_id}/{tariff_id}`]: 'Tariff',
  [`PUT /2.2.1/emsp/sessions/{country_code}/{party_id}/{session_id}`]: 'Session',
  [`PATCH /2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}`]: 'Location',
  [`PATCH /2.2.1/emsp/sessions/{country_code}/{party_id}/{session_id}`]: 'Session',
};

let counter = 0;
/** A path id unique in this run (an accepted write never lands on an id a refused one is checked on). */
const unique = (id: string): string => (id.length <= 24 && /^[\w-]+$/.test(id) ? `${id}-${(++counter).toString(36)}` : id);

interface Generated {
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: { kind: 'valid' | 'broken' | 'other'; value: unknown; breakage?: Breakage };
}

const plainId = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 10 });

function paramArbitrary(target: Target, name: string, junk: boolean): fc.Arbitrary<string> {
  const party = PARTIES[target.caller];
  // Only the body is broken: a path that is wrong too would be refused for that first.
  if (!junk) return name === 'country_code' ? fc.constant(party.country_code) : name === 'party_id' ? fc.constant(party.party_id) : name === 'command' ? fc.constantFrom(...COMMANDS) : plainId;
  if (name === 'country_code') return fc.oneof({ weight: 6, arbitrary: fc.constant(party.country_code) }, { weight: 1, arbitrary: fc.constantFrom('NL', 'XX', 'be') }, { weight: 1, arbitrary: pathSegment });
  if (name === 'party_id') return fc.oneof({ weight: 6, arbitrary: fc.constant(party.party_id) }, { weight: 1, arbitrary: fc.constantFrom('VLT', 'ZZZ', 'bec') }, { weight: 1, arbitrary: pathSegment });
  if (name === 'version') return fc.oneof(fc.constant('2.2.1'), pathSegment);
  if (name === 'command') return fc.oneof(fc.constantFrom(...COMMANDS), pathSegment);
  return pathSegment;
}

function queryArbitrary(target: Target, junk: boolean): fc.Arbitrary<Record<string, string>> {
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const parameter of target.op.parameters.filter((candidate) => candidate.in === 'query')) {
    const valid = validOf(parameter.schema ?? { type: 'string' }).map(String);
    model[parameter.name] = junk ? fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.oneof(pathSegment, fc.constantFrom('-1', '1e309', 'NaN', '99999999999999999999', '')) }) : valid;
  }
  const types = fc.constantFrom('RFID', 'APP_USER', 'AD_HOC_USER', 'OTHER');
  if (target.path.includes('{token_uid}') && target.path.includes('/tokens/')) model['type'] = junk ? fc.oneof(types, pathSegment) : types;
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

const ROUTING = ['OCPI-from-country-code', 'OCPI-from-party-id', 'OCPI-to-country-code', 'OCPI-to-party-id'];
function headersArbitrary(target: Target): fc.Arbitrary<Record<string, string>> {
  const party = PARTIES[target.caller];
  const value = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(name.includes('from') ? (name.endsWith('country-code') ? party.country_code : party.party_id) : name.endsWith('country-code') ? 'NL' : target.caller === 'cpo' ? 'VLM' : 'VLT') },
      { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 8 }) },
    );
  const model: Record<string, fc.Arbitrary<string>> = Object.fromEntries(ROUTING.map((name) => [name, value(name)]));
  model['X-Request-ID'] = fc.oneof(fc.uuid(), fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 200 }));
  model['X-Correlation-ID'] = fc.uuid();
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

/** A valid body, with the ids the URL names, and our own token where sessions need one. */
function alignBody(target: Target, body: unknown, params: Record<string, string>, query: Record<string, string>): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const copy = { ...(body as Record<string, unknown>) };
  for (const [param, field] of Object.entries(ID_FIELDS[target.name] ?? {})) if (params[param] !== undefined) copy[field] = params[param];
  if (target.path.startsWith('/2.2.1/cpo/tokens/') && target.method === 'PUT') query['type'] = String(copy['type'] ?? 'RFID');
  if (target.path.startsWith('/2.2.1/emsp/sessions/') && 'cdr_token' in copy) {
    copy['cdr_token'] = { country_code: 'NL', party_id: 'VLM', uid: OUR_EMSP_TOKEN.uid, type: OUR_EMSP_TOKEN.type, contract_id: OUR_EMSP_TOKEN.contract_id };
  }
  return copy;
}

function requestArbitrary(target: Target, bodies: 'any' | 'valid' | 'broken'): fc.Arbitrary<Generated> {
  const names = [...target.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const params = fc.record(Object.fromEntries(names.map((name) => [name, paramArbitrary(target, name, bodies === 'any')])));
  const bodySchema = target.body;
  const rule = CROSS_FIELD_RULES[CROSS_FIELD_TARGETS[target.name] ?? ''];
  const valid = bodySchema ? validOf(bodySchema).map((value) => (rule ? rule(value as Record<string, unknown>) : value)) : fc.constant(undefined);
  const breakages = bodySchema ? breakagesOf(bodySchema) : [];
  // Broken after the URL's ids are put in (build()): an id the URL overwrote would be valid again.
  const broken = breakages.length > 0 ? fc.tuple(valid, fc.constantFrom(...breakages)).filter(([value, breakage]) => breakage.apply(value) !== undefined).map(([value, breakage]) => ({ value, breakage })) : undefined;
  let body: fc.Arbitrary<Generated['body']> = fc.constant(undefined);
  if (bodySchema) {
    const validBody = valid.map((value) => ({ kind: 'valid' as const, value }));
    const brokenBody = broken?.map(({ value, breakage }) => ({ kind: 'broken' as const, value, breakage }));
    const other = fc.oneof(notAnObject, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })).map((value) => ({ kind: 'other' as const, value }));
    if (bodies === 'valid') body = validBody;
    else if (bodies === 'broken') body = brokenBody ?? fc.constant(undefined);
    else body = fc.oneof(validBody, ...(brokenBody ? [brokenBody] : []), other);
  }
  const headers = bodies === 'any' ? headersArbitrary(target) : fc.constant({});
  return fc.record({ params, query: queryArbitrary(target, bodies === 'any'), headers, body }).map((generated) => {
    const { body: generatedBody, ...rest } = generated;
    return generatedBody === undefined ? rest : { ...rest, body: generatedBody };
  });
}

describe('OpenAPI-driven fuzzing of every OCPI route', () => {
  let mesh: RunningMesh;
  let base: string;
  const partners = {} as Record<Caller, SimPartner>;
  const tokenOf = (caller: Caller) => ocpiToken(partners[caller].state.peerToken ?? '');
  /** Receiver writes answered 1000 and those refused, by the URL that reads them back. */
  const accepted: { url: string; caller: Caller; what: string }[] = [];
  const refused: { url: string; caller: Caller; what: string; body: unknown }[] = [];

  const build = (target: Target, generated: Generated): Request => {
    const params = { ...generated.params };
    if (target.readBack && target.method === 'PUT') for (const name of Object.keys(params)) if (/_id$|_uid$/.test(name) && !/^(country_code|party_id)$/.test(name)) params[name] = unique(params[name]!);
    const query = { ...generated.query };
    let body = generated.body && generated.body.kind !== 'other' ? alignBody(target, generated.body.value, params, query) : generated.body?.value;
    if (generated.body?.breakage) body = generated.body.breakage.apply(body) ?? body;
    const path = target.path.replace(/\{(\w+)\}/g, (_, name: string) => (RAW_SEGMENTS.includes(params[name]!) ? params[name]! : encodeURIComponent(params[name]!)));
    const search = new URLSearchParams(query).toString();
    const headers: Record<string, string> = { authorization: tokenOf(target.caller), ...generated.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return { method: target.method, url: `${base}/ocpi${path}${search ? `?${search}` : ''}`, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) };
  };
  const readBackUrl = (request: Request) => request.url;

  before(async () => {
    mesh = await startTestMesh('openapi-fuzz', { BODY_LIMIT_BYTES: String(BODY_LIMIT), REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), COMMAND_RATE_PER_MINUTE: '6000', COMMAND_RATE_BURST: '1000', CHARGING_PROFILE_RATE_PER_MINUTE: '6000', CHARGING_PROFILE_RATE_BURST: '1000' });
    base = mesh.versionsUrl.replace(/\/ocpi\/versions$/, '');
    partners.cpo = await startSimPartner({ ...toSim(PARTIES.cpo), role: 'CPO' });
    partners.emsp = await startSimPartner({ ...toSim(PARTIES.emsp), role: 'EMSP' });
    partners.hub = await startSimPartner({ ...toSim(PARTIES.hub), role: 'HUB' });
    for (const partner of Object.values(partners)) await connectPartner(mesh, partner);
    // Ours, so the Sender routes answer 1000 with data the description can judge, and sessions have our token.
    const address = (name: keyof RunningMesh['grpcPorts']) => `127.0.0.1:${mesh.grpcPorts[name]}`;
    const tokens = new tokenService.TokenServiceClient(address('authorization'), grpcCredentials.createInsecure());
    const locations = new locationService.LocationServiceClient(address('locations'), grpcCredentials.createInsecure());
    const tariffs = new tariffService.TariffServiceClient(address('tariffs'), grpcCredentials.createInsecure());
    try {
      await callUnary(tokens.issueToken.bind(tokens) as never, tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(OUR_EMSP_TOKEN) }), 10_000);
      await callUnary(locations.upsertLocation.bind(locations) as never, { ocpiJson: JSON.stringify(aLocation({ country_code: 'NL', party_id: 'VLT', id: 'FZ-OWN', evses: [anEvse({ uid: 'FZ-E1' })], last_updated: new Date().toISOString() })) }, 10_000);
      await callUnary(tariffs.upsertTariff.bind(tariffs) as never, { ocpiJson: JSON.stringify(aTariff({ country_code: 'NL', party_id: 'VLT', id: 'FZ-TARIFF', last_updated: new Date().toISOString() })) }, 10_000);
    } finally {
      tokens.close();
      locations.close();
      tariffs.close();
    }
  });

  after(async () => {
    for (const partner of Object.values(partners)) await partner?.close();
    await mesh?.stop();
  });

  test('every operation of the description is a fuzzed route, or listed as not served with the reason', () => {
    const fuzzed = new Set(TARGETS.map((target) => target.op.operationId));
    const missing = operations().filter((op) => !fuzzed.has(op.operationId) && !(op.operationId in NOT_SERVED));
    assert.deepEqual(missing, [], 'operations neither fuzzed nor listed in NOT_SERVED');
    for (const operationId of Object.keys(NOT_SERVED)) assert.ok(!fuzzed.has(operationId), `${operationId} is fuzzed, so NOT_SERVED must not list it`);
    assert.ok(TARGETS.length >= 45, `${TARGETS.length} routes fuzzed`);
  });

  test('any request to any route: no 5xx, an OCPI envelope, at 1000 valid per the description', async () => {
    let requests = 0;
    for (const target of TARGETS) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(target, 'any'), async (generated) => {
          const request = build(target, generated);
          const envelope = assertEnvelope(await send(request), request, target.op.okResponse);
          requests++;
          if (target.readBack && target.method === 'PUT' && generated.body?.kind === 'broken') {
            assert.notEqual(envelope.status_code, 1000, `broken body (${generated.body.breakage!.kind} ${generated.body.breakage!.path}) accepted: ${describeRequest(request)}`);
            refused.push({ url: readBackUrl(request), caller: target.caller, what: describeRequest(request), body: parsed(request) });
          }
        }),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true, verbose: fc.VerbosityLevel.Verbose },
      );
    }
    console.log(`fuzz: ${requests} requests over ${TARGETS.length} routes`);
  });

  test('bodies broken where OCPI requires a refusal: 2001, the field named, nothing stored', async () => {
    const writes = TARGETS.filter((target) => target.body && target.method !== 'GET' && !target.path.includes('credentials'));
    for (const target of writes) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(target, 'broken'), async (generated) => {
          if (!generated.body) return;
          const request = build(target, generated);
          const envelope = assertEnvelope(await send(request), request, target.op.okResponse);
          const breakage = generated.body.breakage!;
          assert.notEqual(envelope.status_code, 1000, `${breakage.kind} at ${breakage.path} accepted: ${describeRequest(request)}`);
          // Where valid generated bodies are proven valid (the next test), the one error is the breakage.
          if (envelope.status_code === 2001 && breakage.kind !== 'wrong type' && target.readBack && target.method === 'PUT' && !target.path.includes('{evse_uid}')) {
            assert.ok(envelope.status_message?.includes(breakage.field), `"${envelope.status_message}" should name ${breakage.field} (${breakage.kind}): ${describeRequest(request)}`);
          }
          if (target.readBack && target.method === 'PUT') refused.push({ url: readBackUrl(request), caller: target.caller, what: describeRequest(request), body: parsed(request) });
        }),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
      );
    }
  });

  test('valid generated objects are accepted and stored', async () => {
    const puts = TARGETS.filter((target) => target.readBack && target.method === 'PUT' && !target.path.includes('{evse_uid}'));
    for (const target of puts) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(target, 'valid'), async (generated) => {
          const params: Record<string, string> = { ...generated.params, country_code: PARTIES[target.caller].country_code, party_id: PARTIES[target.caller].party_id };
          for (const [name, value] of Object.entries(params)) if (name !== 'country_code' && name !== 'party_id') params[name] = `FZ${value.replace(/[^\w-]/g, '').slice(0, 12)}`;
          const request = build(target, { ...generated, params, query: {}, headers: {} });
          const envelope = assertEnvelope(await send(request), request, target.op.okResponse);
          assert.equal(envelope.status_code, 1000, `valid object refused: ${envelope.status_message} for ${describeRequest(request)}`);
          accepted.push({ url: readBackUrl(request), caller: target.caller, what: describeRequest(request) });
        }),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
      );
    }
  });

  test('read back: every accepted write is stored, no refused one is', async () => {
    for (const write of accepted) {
      const url = write.url.replace(/\?(?!type=).*$/, '');
      await eventually(() => http('GET', url, { authorization: tokenOf(write.caller) }), (answer) => (answer.body as Envelope | undefined)?.status_code === 1000, `accepted write readable: ${write.what}`);
    }
    for (const write of refused) {
      const answer = (await http('GET', write.url, { authorization: tokenOf(write.caller) })).body as Envelope | undefined;
      // Hub client info has no id of its own to keep fresh: there, what is stored must not be the refused body.
      if (write.url.includes('/hubclientinfo/') && answer?.status_code === 1000) assert.notDeepEqual(answer.data, write.body, `refused write stored: ${write.what}`);
      else assert.notEqual(answer?.status_code, 1000, `refused write stored: ${write.what}`);
    }
    console.log(`fuzz: ${accepted.length} accepted writes read back, ${refused.length} refused writes absent`);
  });

  describeLimits(() => ({ base, authorization: tokenOf('cpo') }));
  describeExampleMutations(() => ({ base, cpo: partners.cpo }));

  test('DELETE credentials unregisters at once: the token is refused afterwards', async () => {
    const spare = await startSimPartner({ countryCode: 'IT', partyId: 'SPR', role: 'EMSP' });
    try {
      await connectPartner(mesh, spare);
      const authorization = ocpiToken(spare.state.peerToken ?? '');
      const request: Request = { method: 'DELETE', url: `${base}/ocpi/2.2.1/credentials`, headers: { authorization } };
      assert.equal(assertEnvelope(await send(request), request).status_code, 1000, 'unregistered');
      const after = { method: 'GET', url: `${base}/ocpi/2.2.1/credentials`, headers: { authorization } };
      const answer = await send(after);
      assert.equal(answer.status, 401, `the token of an unregistered partner is refused: ${answer.text}`);
      assertEnvelope(answer, after);
    } finally {
      await spare.close();
    }
  });
});

function parsed(request: Request): unknown {
  try {
    return JSON.parse(String(request.body));
  } catch {
    return undefined;
  }
}

function toSim(party: { country_code: string; party_id: string }): { countryCode: string; partyId: string } {
  return { countryCode: party.country_code, partyId: party.party_id };
}
