import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AppError, unavailable } from '@voltmesh/errors';
import type { EventToPublish } from '@voltmesh/kafka';
import { OcpiError } from '@voltmesh/ocpi';
import { commands } from '@voltmesh/proto';
import type { PartnerActiveProfile, PartnerProfileRequest } from '../../adapters/charging-profiles-client.js';
import type { CommandDelivery } from '../../adapters/command-deliveries.js';
import { IngressPublisher } from '../../adapters/ingress-publisher.js';
import { RateLimiter } from '../../adapters/rate-limiter.js';
import { refusedPartnerUrl } from '../../adapters/url-guard.js';
import { receiveCommandResult } from '../../application/receivers/receive-command-result.js';
import type { ChargingProfileResponse } from '@voltmesh/ocpi';
import { registerChargingProfileRoutes } from './chargingprofiles-routes.js';
import { aPartner, authAs, ocpiTestApp } from './route-test-harness.js';

// Our parties: CPOs NL*VLT (the first) and NL*VL2, eMSP NL*VLM.
const cpoParties = [
  { countryCode: 'NL', partyId: 'VLT' },
  { countryCode: 'NL', partyId: 'VL2' },
];
const ownParties = [...cpoParties.map((party) => ({ ...party, role: 'CPO' })), { role: 'EMSP', countryCode: 'NL', partyId: 'VLM' }];
const partnerEmsp = aPartner('emsp-conn', [['EMSP', 'FR', 'EMP']]);
const otherEmsp = aPartner('other-emsp', [['EMSP', 'BE', 'OTH']]);
const partnerCpo = aPartner('cpo-conn', [['CPO', 'DE', 'ABC']]);
const otherCpo = aPartner('other-cpo', [['CPO', 'FR', 'CPX']]);
const hub = aPartner('hub-conn', [['HUB', 'EU', 'HUB']]);

/** Public hosts resolve to a public address, `internal.example` to a private one, anything else not at all. */
const resolve = async (host: string): Promise<string[]> => {
  if (host === 'internal.example') return ['10.1.2.3'];
  if (host.endsWith('.example')) return ['203.0.113.5'];
  throw new Error(`getaddrinfo ENOTFOUND ${host}`);
};

/** The sessions service, Kafka and the delivery records standing in, recording what reached them. */
function world() {
  const forwarded: PartnerProfileRequest[] = [];
  const activeProfiles: PartnerActiveProfile[] = [];
  const published: EventToPublish[] = [];
  const deliveries = new Map<string, CommandDelivery>();
  const state = {
    answer: undefined as ChargingProfileResponse | undefined,
    requestError: undefined as AppError | undefined,
    activeError: undefined as AppError | undefined,
    now: 0,
  };
  const scope = { ownParties, heldElsewhere: async (keys: string[]) => keys.filter((key) => key === 'BE*OTH') };
  const ingress = new IngressPublisher({
    async publish(event) {
      published.push(event);
      return { id: 'event-1' };
    },
  });
  const register = (app: FastifyInstance) =>
    registerChargingProfileRoutes(
      app,
      {
        ...scope,
        profiles: {
          async receiveRequest(request) {
            forwarded.push(request);
            if (state.requestError) throw state.requestError;
            return state.answer ?? { result: 'ACCEPTED', timeout: request.timeoutSeconds };
          },
        },
        cpoParties,
        refusedUrl: (url) => refusedPartnerUrl(url, false, resolve),
        timeoutSeconds: 45,
      },
      {
        ...scope,
        profiles: {
          async receiveActiveProfile(request) {
            activeProfiles.push(request);
            if (state.activeError) throw state.activeError;
          },
        },
      },
      { deliveries: { get: async (id) => deliveries.get(id) }, ingress },
      // Two requests in a burst, then one a minute, on a clock the test moves.
      new RateLimiter(1, 2, () => state.now),
    );
  return { forwarded, activeProfiles, published, deliveries, state, register, ingress };
}

const apps: FastifyInstance[] = [];
async function setUp() {
  const w = world();
  const app = await ocpiTestApp([partnerEmsp, otherEmsp, partnerCpo, otherCpo, hub], w.register);
  apps.push(app);
  return { ...w, app };
}
after(async () => {
  for (const app of apps) await app.close();
});

const RECEIVER = '/ocpi/2.2.1/cpo/chargingprofiles';
const SENDER = '/ocpi/2.2.1/emsp/chargingprofiles';
const RESPONSE_URL = 'https://emsp.example/ocpi/cp/results/42';
const body = (response: { body: string }) => JSON.parse(response.body) as { status_code: number; status_message?: string; data?: unknown };
const profile = (periods: Array<{ start_period: number; limit: number }> = [{ start_period: 0, limit: 16 }, { start_period: 600, limit: 10.5 }]) => ({
  charging_rate_unit: 'A',
  charging_profile_period: periods,
});
const setProfile = (overrides: Record<string, unknown> = {}) => ({ charging_profile: profile(), response_url: RESPONSE_URL, ...overrides });
const activeProfile = () => ({ start_date_time: '2026-05-01T10:00:00Z', charging_profile: profile() });
const query = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

describe('charging profiles, CPO Receiver routes (partner eMSPs on our sessions)', () => {
  test('PUT: the SetChargingProfile goes to the sessions service with our timeout, and its ChargingProfileResponse is the data', async () => {
    const { app, forwarded } = await setUp();
    const response = await app.inject({ method: 'PUT', url: `${RECEIVER}/sess-1/`, headers: authAs(partnerEmsp), payload: setProfile() });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual({ status: body(response).status_code, data: body(response).data }, { status: 1000, data: { result: 'ACCEPTED', timeout: 45 } });
    assert.deepEqual(forwarded, [
      {
        connectionId: 'emsp-conn',
        type: 'SET_CHARGING_PROFILE',
        cpo: { countryCode: 'NL', partyId: 'VLT' },
        sessionId: 'SESS-1',
        emsp: { countryCode: 'FR', partyId: 'EMP' },
        ocpiObject: setProfile(),
        timeoutSeconds: 45,
      },
    ]);
  });

  test('GET and DELETE: the query becomes the request object; OCPI-to-* picks our CPO party', async () => {
    const { app, forwarded } = await setUp();
    const read = await app.inject({
      method: 'GET',
      url: `${RECEIVER}/S1${query({ duration: '900', response_url: RESPONSE_URL, ignored: 'x' })}`,
      headers: { ...authAs(partnerEmsp), 'ocpi-to-country-code': 'nl', 'ocpi-to-party-id': 'vl2' },
    });
    assert.equal(body(read).status_code, 1000, read.body);
    const cleared = await app.inject({ method: 'DELETE', url: `${RECEIVER}/S1${query({ response_url: RESPONSE_URL })}`, headers: authAs(partnerEmsp) });
    assert.equal(body(cleared).status_code, 1000, cleared.body);
    assert.deepEqual(
      forwarded.map((request) => ({ type: request.type, cpo: request.cpo, object: request.ocpiObject })),
      [
        { type: 'GET_ACTIVE_CHARGING_PROFILE', cpo: { countryCode: 'NL', partyId: 'VL2' }, object: { duration: 900, response_url: RESPONSE_URL } },
        { type: 'CLEAR_PROFILE', cpo: { countryCode: 'NL', partyId: 'VLT' }, object: { response_url: RESPONSE_URL } },
      ],
    );
  });

  test('each refusal is 2001 naming the field (a CPO-only partner HTTP 404), and nothing reaches the sessions service', async () => {
    const get = (params: Record<string, string>) => ({ method: 'GET' as const, url: `${RECEIVER}/S1${query(params)}` });
    const cases: Array<[string, { method: 'GET' | 'PUT' | 'DELETE'; url: string; payload?: unknown; headers?: Record<string, string> }, number, number, RegExp]> = [
      ['a limit with two decimals', { method: 'PUT', url: `${RECEIVER}/S1`, payload: setProfile({ charging_profile: profile([{ start_period: 0, limit: 16.25 }]) }) }, 200, 2001, /^charging_profile\.charging_profile_period\[0\]\.limit: must have at most 1 decimal/],
      ['periods not ascending from 0', { method: 'PUT', url: `${RECEIVER}/S1`, payload: setProfile({ charging_profile: profile([{ start_period: 300, limit: 16 }]) }) }, 200, 2001, /^charging_profile\.charging_profile_period\[0\]\.start_period: the first period must start at 0/],
      ['an unknown unit', { method: 'PUT', url: `${RECEIVER}/S1`, payload: setProfile({ charging_profile: { ...profile(), charging_rate_unit: 'kW' } }) }, 200, 2001, /^charging_profile\.charging_rate_unit:/],
      ['a PUT without response_url', { method: 'PUT', url: `${RECEIVER}/S1`, payload: { charging_profile: profile() } }, 200, 2001, /^response_url:/],
      ['a PUT body that is a list', { method: 'PUT', url: `${RECEIVER}/S1`, payload: [setProfile()] }, 200, 2001, /^\(body\): must be a JSON object/],
      ['a GET without duration', get({ response_url: RESPONSE_URL }), 200, 2001, /^duration: is required/],
      ['a GET with a negative duration', get({ duration: '-5', response_url: RESPONSE_URL }), 200, 2001, /^duration: must be a whole number of seconds/],
      ['a GET with a word for duration', get({ duration: 'soon', response_url: RESPONSE_URL }), 200, 2001, /^duration: must be a whole number of seconds/],
      ['a GET without response_url', get({ duration: '60' }), 200, 2001, /^response_url: is required/],
      ['a GET with a response_url that is no URL', get({ duration: '60', response_url: 'later' }), 200, 2001, /^response_url: must be an http\(s\) URL/],
      ['a DELETE without response_url', { method: 'DELETE', url: `${RECEIVER}/S1` }, 200, 2001, /^response_url: is required/],
      ['a response_url on a private address', { method: 'PUT', url: `${RECEIVER}/S1`, payload: setProfile({ response_url: 'https://internal.example/cb' }) }, 200, 2001, /^response_url: must not point at a private or loopback address \(internal\.example is 10\.1\.2\.3\)/],
      ['a response_url on loopback', { method: 'DELETE', url: `${RECEIVER}/S1${query({ response_url: 'http://127.0.0.1:9/cb' })}` }, 200, 2001, /^response_url: must not point at a private or loopback address/],
      ['a session id longer than 36', { method: 'PUT', url: `${RECEIVER}/${'S'.repeat(37)}`, payload: setProfile() }, 200, 2001, /^session_id: must be 1 to 36 characters/],
      ['addressed to a CPO party not ours', { method: 'PUT', url: `${RECEIVER}/S1`, payload: setProfile(), headers: { 'ocpi-to-country-code': 'DE', 'ocpi-to-party-id': 'ABC' } }, 200, 2001, /^header ocpi-to-party-id: DE\*ABC is not one of our CPO parties/],
      ['a hub naming no eMSP', { method: 'PUT', url: `${RECEIVER}/S1`, payload: setProfile(), headers: authAs(hub) }, 200, 2001, /^header ocpi-from-party-id: required, a hub must name the eMSP it asks for/],
      ['a CPO-only partner', { method: 'PUT', url: `${RECEIVER}/S1`, payload: setProfile(), headers: authAs(partnerCpo) }, 404, 2000, /^chargingprofiles are served to eMSPs/],
    ];
    for (const [what, request, http, status, pattern] of cases) {
      const { app, forwarded } = await setUp();
      const response = await app.inject({
        method: request.method,
        url: request.url,
        headers: { ...authAs(partnerEmsp), ...request.headers },
        ...(request.payload !== undefined ? { payload: request.payload as object } : {}),
      });
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, status, `${what}: ${response.body}`);
      assert.match(body(response).status_message ?? '', pattern, what);
      assert.equal(forwarded.length, 0, `${what}: nothing forwarded`);
    }
  });

  test('beyond its rate a partner is answered 1000 with TOO_OFTEN (not HTTP 429); its bucket refills; other partners have their own', async () => {
    const { app, forwarded, state } = await setUp();
    const put = (partner = partnerEmsp) => app.inject({ method: 'PUT', url: `${RECEIVER}/S1`, headers: authAs(partner), payload: setProfile() });
    for (let index = 0; index < 2; index += 1) assert.deepEqual(body(await put()).data, { result: 'ACCEPTED', timeout: 45 }, `request ${index + 1} of the burst`);
    const limited = await put();
    assert.equal(limited.statusCode, 200, limited.body);
    assert.deepEqual({ status: body(limited).status_code, data: body(limited).data }, { status: 1000, data: { result: 'TOO_OFTEN', timeout: 0 } });
    assert.equal(forwarded.length, 2, 'the limited request was not forwarded');
    const read = await app.inject({ method: 'GET', url: `${RECEIVER}/S1${query({ duration: '60', response_url: RESPONSE_URL })}`, headers: authAs(partnerEmsp) });
    assert.deepEqual(body(read).data, { result: 'TOO_OFTEN', timeout: 0 }, 'GET shares the bucket');
    assert.deepEqual(body(await put(otherEmsp)).data, { result: 'ACCEPTED', timeout: 45 }, 'another partner is not limited');
    state.now += 60_000;
    assert.deepEqual(body(await put()).data, { result: 'ACCEPTED', timeout: 45 }, 'a minute later one more is allowed');
  });

  test('what the sessions service says: its answer as data; NOT_FOUND is UNKNOWN_SESSION; INVALID_ARGUMENT 2001; unavailable HTTP 503', async () => {
    const cases: Array<[string, Partial<ReturnType<typeof world>['state']>, number, number, unknown]> = [
      ['UNKNOWN_SESSION answered', { answer: { result: 'UNKNOWN_SESSION', timeout: 0 } }, 200, 1000, { result: 'UNKNOWN_SESSION', timeout: 0 }],
      ['NOT_SUPPORTED answered', { answer: { result: 'NOT_SUPPORTED', timeout: 0 } }, 200, 1000, { result: 'NOT_SUPPORTED', timeout: 0 }],
      ['NOT_FOUND raised', { requestError: new AppError('NOT_FOUND', 'no session NL*VLT*S1') }, 200, 1000, { result: 'UNKNOWN_SESSION', timeout: 0 }],
      ['PERMISSION_DENIED raised', { requestError: new AppError('PERMISSION_DENIED', 'not your session') }, 200, 1000, { result: 'UNKNOWN_SESSION', timeout: 0 }],
      ['INVALID_ARGUMENT raised', { requestError: new AppError('INVALID_ARGUMENT', 'charging_profile: too long') }, 200, 2001, undefined],
      ['the service down', { requestError: unavailable('sessions: deadline') }, 503, 3000, undefined],
    ];
    for (const [what, overrides, http, status, data] of cases) {
      const { app, state, forwarded } = await setUp();
      Object.assign(state, overrides);
      const response = await app.inject({ method: 'PUT', url: `${RECEIVER}/S1`, headers: authAs(partnerEmsp), payload: setProfile() });
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, status, `${what}: ${response.body}`);
      assert.deepEqual(body(response).data, data, what);
      assert.equal(forwarded.length, 1, `${what}: asked once`);
    }
  });

  test('methods the module does not have are unknown endpoints (HTTP 404), not "module not available" (501)', async () => {
    const { app } = await setUp();
    for (const [method, url] of [
      ['PATCH', `${RECEIVER}/S1`],
      ['POST', `${RECEIVER}/S1`],
      ['GET', `${SENDER}/S1`],
    ] as const) {
      const response = await app.inject({ method, url, headers: authAs(partnerEmsp), payload: {} });
      assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
      assert.equal(body(response).status_code, 2000, `${method} ${url}: ${response.body}`);
    }
  });
});

describe('charging profiles, eMSP Sender routes (partner CPOs on our drivers’ sessions)', () => {
  test('PUT of an ActiveChargingProfile: stored by the sessions service for the caller’s CPO party, 1000 without data', async () => {
    const { app, activeProfiles } = await setUp();
    const response = await app.inject({ method: 'PUT', url: `${SENDER}/s1`, headers: authAs(partnerCpo), payload: activeProfile() });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(body(response).status_code, 1000, response.body);
    assert.equal('data' in body(response), false, 'no data');
    assert.deepEqual(activeProfiles, [
      {
        connectionId: 'cpo-conn',
        cpo: { countryCode: 'DE', partyId: 'ABC' },
        sessionId: 'S1',
        profile: { start_date_time: '2026-05-01T10:00:00.000Z', charging_profile: profile() },
      },
    ]);
  });

  test('refusals: a bad profile 2001 naming the field; an unknown session HTTP 404 with 2001; not a CPO HTTP 404; a hub must name the CPO', async () => {
    const cases: Array<[string, Record<string, string>, unknown, AppError | undefined, number, number, RegExp, number]> = [
      ['no start_date_time', authAs(partnerCpo), { charging_profile: profile() }, undefined, 200, 2001, /^start_date_time:/, 0],
      ['periods out of order', authAs(partnerCpo), { ...activeProfile(), charging_profile: profile([{ start_period: 0, limit: 16 }, { start_period: 0, limit: 8 }]) }, undefined, 200, 2001, /^charging_profile\.charging_profile_period\[1\]\.start_period:/, 0],
      ['an unknown session', authAs(partnerCpo), activeProfile(), new AppError('NOT_FOUND', 'no session'), 404, 2001, /^unknown session S1$/, 1],
      ['another CPO’s session', authAs(partnerCpo), activeProfile(), new AppError('PERMISSION_DENIED', 'not yours'), 404, 2001, /^unknown session S1$/, 1],
      ['a session we never set a profile on', authAs(partnerCpo), activeProfile(), new AppError('FAILED_PRECONDITION', 'no profile was set on session S1'), 200, 2001, /^no profile was set on session S1$/, 1],
      ['an eMSP-only partner', authAs(partnerEmsp), activeProfile(), undefined, 404, 2000, /^chargingprofiles are taken from CPOs: your credentials name no CPO role/, 0],
      ['a hub naming no CPO', authAs(hub), activeProfile(), undefined, 200, 2001, /^header ocpi-from-party-id: required, a hub must name the CPO it speaks for/, 0],
    ];
    for (const [what, headers, payload, failure, http, status, pattern, calls] of cases) {
      const { app, activeProfiles, state } = await setUp();
      state.activeError = failure;
      const response = await app.inject({ method: 'PUT', url: `${SENDER}/S1`, headers, payload: payload as object });
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, status, `${what}: ${response.body}`);
      assert.match(body(response).status_message ?? '', pattern, what);
      assert.equal(activeProfiles.length, calls, `${what}: calls to the sessions service`);
    }
  });

  test('a hub naming the CPO behind it speaks for that CPO', async () => {
    const { app, activeProfiles } = await setUp();
    const response = await app.inject({ method: 'PUT', url: `${SENDER}/S1`, headers: { ...authAs(hub), 'ocpi-from-country-code': 'IT', 'ocpi-from-party-id': 'CPI' }, payload: activeProfile() });
    assert.equal(body(response).status_code, 1000, response.body);
    assert.deepEqual(activeProfiles[0]?.cpo, { countryCode: 'IT', partyId: 'CPI' });
  });
});

describe('charging profiles, our response_url (results of our profile requests)', () => {
  const delivered = (type: string, connectionId = 'cpo-conn'): CommandDelivery => ({ _id: `cmd-${type}`, type, connection_id: connectionId, sent_at: new Date() });
  const post = (app: FastifyInstance, commandId: string, payload: unknown, partner = partnerCpo) =>
    app.inject({ method: 'POST', url: `${SENDER}/results/${commandId}`, headers: authAs(partner), payload: payload as object });

  test('the result of each profile type, validated by the command’s type, is published as result_json and answered 1000 without data', async () => {
    const { app, deliveries, published } = await setUp();
    const results: Array<[string, unknown]> = [
      ['SET_CHARGING_PROFILE', { result: 'ACCEPTED' }],
      ['GET_ACTIVE_CHARGING_PROFILE', { result: 'ACCEPTED', profile: activeProfile() }],
      ['CLEAR_PROFILE', { result: 'UNKNOWN' }],
    ];
    for (const [type, result] of results) {
      deliveries.set(`cmd-${type}`, delivered(type));
      const response = await post(app, `cmd-${type}`, result);
      assert.equal(response.statusCode, 200, `${type}: ${response.body}`);
      assert.equal(body(response).status_code, 1000, `${type}: ${response.body}`);
      assert.equal('data' in body(response), false, `${type}: no data`);
    }
    assert.equal(published.length, 3, 'one event per result');
    const events = published.map((event) => ({ topic: event.topic.name, key: event.key, ...commands.PartnerCommandEvent.decode(event.value) }));
    assert.deepEqual(
      events.map(({ topic, key, connectionId, commandId, resultJson }) => ({ topic, key, connectionId, commandId, result: JSON.parse(resultJson ?? '{}') as unknown })),
      [
        { topic: 'gateway.partner-command.v1', key: 'cmd-SET_CHARGING_PROFILE', connectionId: 'cpo-conn', commandId: 'cmd-SET_CHARGING_PROFILE', result: { result: 'ACCEPTED' } },
        {
          topic: 'gateway.partner-command.v1',
          key: 'cmd-GET_ACTIVE_CHARGING_PROFILE',
          connectionId: 'cpo-conn',
          commandId: 'cmd-GET_ACTIVE_CHARGING_PROFILE',
          result: { result: 'ACCEPTED', profile: { start_date_time: '2026-05-01T10:00:00.000Z', charging_profile: profile() } },
        },
        { topic: 'gateway.partner-command.v1', key: 'cmd-CLEAR_PROFILE', connectionId: 'cpo-conn', commandId: 'cmd-CLEAR_PROFILE', result: { result: 'UNKNOWN' } },
      ],
    );
  });

  test('from a partner the request did not go to, for an unknown or a plain command: HTTP 404, nothing published; a wrong result 2001', async () => {
    const cases: Array<[string, CommandDelivery | undefined, typeof partnerCpo, unknown, number, number, RegExp]> = [
      ['another partner', delivered('SET_CHARGING_PROFILE'), otherCpo, { result: 'ACCEPTED' }, 404, 2000, /^unknown command cmd-X$/],
      ['an unknown command', undefined, partnerCpo, { result: 'ACCEPTED' }, 404, 2000, /^unknown command cmd-X$/],
      ['a START_SESSION at the profiles URL', delivered('START_SESSION'), partnerCpo, { result: 'ACCEPTED' }, 404, 2000, /^unknown command cmd-X$/],
      ['a command result type', delivered('SET_CHARGING_PROFILE'), partnerCpo, { result: 'TIMEOUT' }, 200, 2001, /^result:/],
      ['ACCEPTED without the profile', delivered('GET_ACTIVE_CHARGING_PROFILE'), partnerCpo, { result: 'ACCEPTED' }, 200, 2001, /^profile: is required when result is ACCEPTED/],
      ['a body that is a list', delivered('CLEAR_PROFILE'), partnerCpo, [{ result: 'ACCEPTED' }], 200, 2001, /^\(body\): must be a JSON object/],
    ];
    for (const [what, delivery, partner, payload, http, status, pattern] of cases) {
      const { app, deliveries, published } = await setUp();
      if (delivery) deliveries.set('cmd-X', { ...delivery, _id: 'cmd-X' });
      const response = await post(app, 'cmd-X', payload, partner);
      assert.equal(response.statusCode, http, `${what}: ${response.body}`);
      assert.equal(body(response).status_code, status, `${what}: ${response.body}`);
      assert.match(body(response).status_message ?? '', pattern, what);
      assert.equal(published.length, 0, `${what}: nothing published`);
    }
  });

  test('a profile request’s result is not taken at a commands response_url, nor a command’s at the profiles one', async () => {
    const { deliveries, ingress, published } = world();
    deliveries.set('cmd-1', { _id: 'cmd-1', type: 'SET_CHARGING_PROFILE', connection_id: 'cpo-conn', sent_at: new Date() });
    const caller = { connection: partnerCpo, token: 't' };
    await assert.rejects(
      receiveCommandResult({ deliveries: { get: async (id) => deliveries.get(id) }, ingress }, caller, { module: 'commands', type: 'SET_CHARGING_PROFILE', commandId: 'cmd-1' }, { result: 'ACCEPTED' }),
      (error: unknown) => error instanceof OcpiError && error.httpStatus === 404 && /unknown command SET_CHARGING_PROFILE\/cmd-1/.test(error.message),
    );
    assert.equal(published.length, 0, 'nothing published');
  });
});
