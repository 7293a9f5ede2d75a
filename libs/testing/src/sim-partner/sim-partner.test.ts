import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startSimPartner } from './sim-partner.js';

const status = (body: unknown) => (body as { status_code?: number }).status_code;

test('the simulated partner does the full credentials handshake with another copy of itself', async () => {
  const receiver = await startSimPartner({ countryCode: 'NL', partyId: 'RCV', role: 'CPO' });
  const sender = await startSimPartner({ countryCode: 'DE', partyId: 'SND', role: 'EMSP' });
  try {
    const tokenA = receiver.issueTokenA();
    const registered = await sender.registerWith(receiver.versionsUrl, tokenA);
    assert.equal(status(registered.body), 1000);
    const tokenC = sender.state.peerToken!;
    assert.ok(tokenC, 'tokenC');
    assert.equal(receiver.state.registeredPeer?.url, sender.versionsUrl);
    const credentialsUrl = sender.state.peerCredentialsUrl!;

    assert.equal((await sender.callPeer('GET', receiver.versionsUrl, undefined, tokenA)).httpStatus, 401, 'token A is dead');
    assert.equal((await sender.callPeer('POST', credentialsUrl, {})).httpStatus, 405, 'registered twice');
    assert.equal(status((await sender.getCredentials()).body), 1000);

    assert.equal(status((await sender.updateCredentials()).body), 1000);
    assert.notEqual(sender.state.peerToken, tokenC);
    assert.equal((await sender.callPeer('GET', receiver.versionsUrl, undefined, tokenC)).httpStatus, 401, 'old token C is dead');

    assert.equal(status((await sender.unregister()).body), 1000);
    assert.equal((await sender.callPeer('DELETE', credentialsUrl, undefined, sender.state.peerCredentials!.token)).httpStatus, 401);
  } finally {
    await Promise.all([receiver.close(), sender.close()]);
  }
});

test('a registering partner whose versions fail gets 3001 and nothing is stored', async () => {
  const receiver = await startSimPartner({ countryCode: 'NL', partyId: 'RCV', role: 'CPO' });
  const sender = await startSimPartner({ countryCode: 'DE', partyId: 'SND', role: 'EMSP' });
  try {
    sender.faults.versionsStatus = 500;
    const result = await sender.registerWith(receiver.versionsUrl, receiver.issueTokenA());
    assert.equal(status(result.body), 3001);
    assert.equal(receiver.state.registeredPeer, undefined);
    assert.equal(sender.state.peerToken, undefined);
  } finally {
    await Promise.all([receiver.close(), sender.close()]);
  }
});

test('Receiver faults: 500, 429 with Retry-After, truncated JSON, an answer past the deadline, a closed port; each push recorded with its answer', async () => {
  const receiver = await startSimPartner({ countryCode: 'NL', partyId: 'RCV', role: 'EMSP' });
  const sender = await startSimPartner({ countryCode: 'DE', partyId: 'SND', role: 'CPO' });
  try {
    assert.equal(status((await sender.registerWith(receiver.versionsUrl, receiver.issueTokenA())).body), 1000);
    const url = `${receiver.baseUrl}/ocpi/2.2.1/cdrs/`;
    const push = (id: string) => sender.callPeer('POST', url, { id });

    receiver.receiverFault.mode = 'error500';
    assert.equal((await push('A')).httpStatus, 500);
    Object.assign(receiver.receiverFault, { mode: 'rateLimited', retryAfterSeconds: 7 });
    const limited = await push('B');
    assert.equal(limited.httpStatus, 429);
    assert.equal(limited.headers['retry-after'], '7');
    receiver.receiverFault.mode = 'truncated';
    const truncated = await push('C');
    assert.equal(truncated.httpStatus, 200);
    assert.equal(typeof truncated.body, 'string', 'the body is not JSON');
    // Only the modules named are affected.
    Object.assign(receiver.receiverFault, { mode: 'error500', modules: ['sessions'] });
    assert.equal(status((await push('D')).body), 1000);
    Object.assign(receiver.receiverFault, { mode: 'slow', delayMs: 600, modules: undefined });
    const late = await fetch(url, { method: 'POST', headers: { authorization: `Token ${Buffer.from(sender.state.peerToken!).toString('base64')}`, 'content-type': 'application/json' }, body: '{"id":"E"}', signal: AbortSignal.timeout(200) }).catch((error: unknown) => error);
    assert.ok(late instanceof Error, 'the caller gave up before the slow answer');
    await new Promise((resolve) => setTimeout(resolve, 800));
    receiver.receiverFault.mode = 'none';
    const answers = receiver.state.received.map((entry) => `${(entry.body as { id: string }).id}:${entry.answer}:${entry.delivered}`);
    assert.deepEqual(answers, ['A:error500:true', 'B:rateLimited:true', 'C:truncated:true', 'D:ok:true', 'E:slow:false']);

    await receiver.goDown();
    const refused = await push('F').catch((error: unknown) => error);
    assert.ok(refused instanceof Error, 'a closed port refuses the connection');
    await receiver.comeUp();
    assert.equal(status((await push('G')).body), 1000);
    assert.deepEqual(receiver.state.received.map((entry) => (entry.body as { id: string }).id).slice(-1), ['G'], 'nothing arrived while down');
  } finally {
    await Promise.all([receiver.close(), sender.close()]);
  }
});

// ---- OCPI 2.1.1 mode ----

const dataOf = (body: unknown) => (body as { data?: unknown }).data;
const base64 = (token: string) => Buffer.from(token).toString('base64');

/** One call as a test writes it on the wire: `Authorization: Token <token>` exactly as given, no other headers. */
async function wire(method: string, url: string, token: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Token ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { httpStatus: response.status, body: (text ? JSON.parse(text) : undefined) as unknown, headers: Object.fromEntries(response.headers.entries()) };
}

async function until(condition: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const MODULES_211 = ['credentials', 'locations', 'sessions', 'cdrs', 'tariffs', 'tokens', 'commands'];
const endpoints211 = (baseUrl: string) => MODULES_211.map((identifier) => ({ identifier, url: `${baseUrl}/ocpi/2.1.1/${identifier}/` }));

/** The Token example of the 2.1.1 mod_tokens.md §3.2 (whitelist made NEVER: real-time authorized). */
const token211 = { uid: '012345678', type: 'RFID', auth_id: 'DE8ACC12E46L89', visual_number: 'DF000-2001-8999', issuer: 'TheNewMotion', valid: true, whitelist: 'NEVER', last_updated: '2015-06-29T22:39:09Z' };

test('2.1.1: a CPO and an eMSP sim register with each other with flat credentials and raw tokens, and read each other’s 2.1.1 details', async () => {
  const cpo = await startSimPartner({ countryCode: 'NL', partyId: 'CPO', role: 'CPO', version: '2.1.1', name: 'Old CPO' });
  const emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', version: '2.1.1' });
  try {
    assert.equal(cpo.version, '2.1.1');
    const tokenA = cpo.issueTokenA();
    const registered = await emsp.registerWith(cpo.versionsUrl, tokenA);
    assert.equal(registered.httpStatus, 200);
    assert.equal(status(registered.body), 1000, 'the CPO accepted the registration');
    const tokenB = cpo.state.registeredPeer?.token;
    const tokenC = emsp.state.peerToken;
    assert.ok(tokenB && tokenC, 'both sides hold the token to call the other with');
    assert.deepEqual(emsp.state.issuedTokens, [tokenB], 'the eMSP accepts the token B it sent, nothing else');

    // The flat 2.1.1 object both ways, nothing more (no roles).
    assert.deepEqual(cpo.state.registeredPeer?.credentials, { token: tokenB, url: emsp.versionsUrl, business_details: { name: 'Sim DE*EMS' }, party_id: 'EMS', country_code: 'DE' });
    assert.deepEqual(cpo.state.registeredPeer?.roles, [], '2.1.1 has no roles');
    const cpoCredentials = { token: tokenC, url: cpo.versionsUrl, business_details: { name: 'Old CPO' }, party_id: 'CPO', country_code: 'NL' };
    assert.deepEqual(dataOf(registered.body), cpoCredentials);
    assert.deepEqual(emsp.state.peerCredentials, cpoCredentials);

    // Raw tokens and no message ids on every call of the handshake, both ways.
    const seen = (requests: typeof cpo.state.requests) => requests.map((request) => `${request.method} ${request.url} ${request.authorization}`);
    assert.deepEqual(seen(cpo.state.requests), [`GET /ocpi/versions Token ${tokenA}`, `GET /ocpi/2.1.1 Token ${tokenA}`, `POST /ocpi/2.1.1/credentials/ Token ${tokenA}`]);
    assert.deepEqual(seen(emsp.state.requests), [`GET /ocpi/versions Token ${tokenB}`, `GET /ocpi/2.1.1 Token ${tokenB}`]);
    const withIds = [...cpo.state.requests, ...emsp.state.requests].filter((request) => request.requestId !== undefined || request.correlationId !== undefined);
    assert.deepEqual(withIds, [], 'no X-Request-ID / X-Correlation-ID in 2.1.1');

    // Each read the other's 2.1.1 details: endpoints {identifier, url}, no role.
    assert.deepEqual(emsp.state.peerEndpoints, endpoints211(cpo.baseUrl));
    assert.deepEqual(cpo.state.registeredPeer?.endpoints, endpoints211(emsp.baseUrl));
    assert.equal(emsp.peerEndpoint('commands', 'RECEIVER'), `${cpo.baseUrl}/ocpi/2.1.1/commands/`);
    assert.equal(emsp.peerEndpoint('commands', 'SENDER'), emsp.peerEndpoint('commands', 'RECEIVER'), 'the role is ignored in 2.1.1');
    assert.throws(() => emsp.peerEndpoint('chargingprofiles', 'RECEIVER'), /lists no chargingprofiles endpoint/);
    const versions = await wire('GET', cpo.versionsUrl, tokenC);
    assert.deepEqual(dataOf(versions.body), [{ version: '2.1.1', url: `${cpo.baseUrl}/ocpi/2.1.1` }]);
    const details = await wire('GET', `${cpo.baseUrl}/ocpi/2.1.1`, tokenC);
    assert.deepEqual(dataOf(details.body), { version: '2.1.1', endpoints: endpoints211(cpo.baseUrl) });
    assert.equal(details.headers['x-request-id'], undefined, 'a 2.1.1 server answers no message ids');
    assert.equal((await wire('GET', cpo.versionsUrl, base64(tokenC))).httpStatus, 401, '2.1.1 tokens are raw: a Base64-encoded one is not the token');
    assert.equal((await wire('GET', `${cpo.baseUrl}/ocpi/2.2.1`, tokenC)).httpStatus, 404, 'a 2.1.1 sim serves no 2.2.1');

    // The same A/B/C life cycle and 405 rules as in 2.2.1.
    const credentialsUrl = emsp.state.peerCredentialsUrl!;
    assert.equal(credentialsUrl, `${cpo.baseUrl}/ocpi/2.1.1/credentials/`);
    assert.equal((await wire('GET', cpo.versionsUrl, tokenA)).httpStatus, 401, 'token A is dead');
    assert.equal((await emsp.callPeer('POST', credentialsUrl, {})).httpStatus, 405, 'registered twice');
    assert.equal((await wire('PUT', credentialsUrl, cpo.issueTokenA(), {})).httpStatus, 405, 'an update before registering');
    const got = await emsp.getCredentials();
    assert.deepEqual(dataOf(got.body), cpoCredentials);
    assert.equal(status((await emsp.updateCredentials()).body), 1000);
    assert.notEqual(emsp.state.peerToken, tokenC, 'a new token C');
    assert.notEqual(cpo.state.registeredPeer?.token, tokenB, 'a new token B');
    assert.equal((emsp.state.peerCredentials as { party_id?: string }).party_id, 'CPO');
    assert.equal((await wire('GET', cpo.versionsUrl, tokenC)).httpStatus, 401, 'old token C is dead');
    assert.equal(status((await emsp.unregister()).body), 1000);
    assert.equal(cpo.state.registeredPeer, undefined, 'the CPO forgot the eMSP');

    // A 2.2.1 credentials object is not 2.1.1 credentials.
    const modernBody = { token: 'x', url: emsp.versionsUrl, roles: [{ role: 'EMSP', party_id: 'EMS', country_code: 'DE', business_details: { name: 'x' } }] };
    const refused = await wire('POST', credentialsUrl, cpo.issueTokenA(), modernBody);
    assert.equal(refused.httpStatus, 400);
    assert.equal(status(refused.body), 2001);
  } finally {
    await Promise.all([cpo.close(), emsp.close()]);
  }
});

test('2.1.1 and 2.2.1 sims refuse each other with 3002, as the registering client and as the server; 2.1.1 has no Hub', async () => {
  await assert.rejects(startSimPartner({ countryCode: 'NL', partyId: 'HUB', role: 'HUB', version: '2.1.1' }), /no Hub/);
  const old = await startSimPartner({ countryCode: 'NL', partyId: 'OLD', role: 'CPO', version: '2.1.1' });
  // Raw tokens, so that the 2.1.1 sim lets it read its versions at all: the version is what is refused.
  const modern = await startSimPartner({ countryCode: 'DE', partyId: 'NEW', role: 'EMSP', authMode: 'plain' });
  const is3002 = (version: string) => (error: unknown) => (error as { ocpi?: number }).ocpi === 3002 && (error as Error).message === `peer does not offer ${version}`;
  try {
    await assert.rejects(old.registerWith(modern.versionsUrl, modern.issueTokenA()), is3002('2.1.1'));
    await assert.rejects(modern.registerWith(old.versionsUrl, old.issueTokenA()), is3002('2.2.1'));

    // As servers, their credentials endpoints read the registering peer's versions and refuse.
    const atOld = await wire('POST', `${old.baseUrl}/ocpi/2.1.1/credentials`, old.issueTokenA(), { token: modern.issueTokenA(), url: modern.versionsUrl, business_details: { name: 'New' }, party_id: 'NEW', country_code: 'DE' });
    assert.equal(status(atOld.body), 3002);
    assert.equal((atOld.body as { status_message?: string }).status_message, 'peer does not offer 2.1.1');
    const atModern = await wire('POST', `${modern.baseUrl}/ocpi/2.2.1/credentials`, base64(modern.issueTokenA()), {
      token: old.issueTokenA(),
      url: old.versionsUrl,
      roles: [{ role: 'CPO', party_id: 'OLD', country_code: 'NL', business_details: { name: 'Old' } }],
    });
    assert.equal(status(atModern.body), 3002);
    assert.equal((atModern.body as { status_message?: string }).status_message, 'peer does not offer 2.2.1');

    for (const sim of [old, modern]) {
      assert.equal(sim.state.registeredPeer, undefined, 'no peer registered');
      assert.equal(sim.state.peerToken, undefined, 'no token kept');
      assert.ok(sim.state.issuedTokens.length > 0 && sim.state.issuedTokens.length === new Set(sim.state.issuedTokens).size, 'its tokens A are still there');
    }
  } finally {
    await Promise.all([old.close(), modern.close()]);
  }
});

test('2.1.1: a peer that offers 2.1.1 but answers the registration with 2.2.1 credentials (roles) is not registered with', async () => {
  // A peer that lists 2.1.1 and then answers the credentials POST in the 2.2.1 shape.
  const peer = createServer((request, response) => {
    const base = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
    const data: Record<string, unknown> = {
      '/versions': [{ version: '2.1.1', url: `${base}/2.1.1` }],
      '/2.1.1': { version: '2.1.1', endpoints: [{ identifier: 'credentials', url: `${base}/credentials` }] },
      '/credentials': { token: 'peer-token-c', url: `${base}/versions`, roles: [{ role: 'CPO', party_id: 'MIX', country_code: 'NL', business_details: { name: 'Mixed' } }] },
    };
    request.resume();
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ data: data[request.url ?? ''], status_code: 1000, timestamp: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  const emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', version: '2.1.1' });
  try {
    const answered = await emsp.registerWith(`http://127.0.0.1:${(peer.address() as AddressInfo).port}/versions`, 'token-a');
    assert.equal(status(answered.body), 1000, 'the peer said yes');
    assert.equal(emsp.state.peerToken, undefined, 'but its answer is not 2.1.1 credentials: no token C kept');
    assert.equal(emsp.state.peerCredentials, undefined, 'nor its credentials');
    assert.deepEqual(emsp.state.issuedTokens, [], 'the token B it sent is withdrawn');
  } finally {
    await emsp.close();
    await new Promise((resolve) => peer.close(resolve));
  }
});

test('2.1.1 real-time authorization: POST …/{uid}/authorize?type=, LocationReferences in, AuthorizationInfo {allowed, location?} out; unknown token HTTP 404 with 2000', async () => {
  const emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', version: '2.1.1' });
  const cpo = await startSimPartner({ countryCode: 'NL', partyId: 'CPO', role: 'CPO', version: '2.1.1' });
  try {
    assert.equal(status((await cpo.registerWith(emsp.versionsUrl, emsp.issueTokenA())).body), 1000);
    emsp.published['tokens'] = [token211, { ...token211, uid: 'ABCDEF', type: 'OTHER' }];
    const tokensUrl = cpo.peerEndpoint('tokens', 'SENDER');
    const references = { location_id: 'LOC1', evse_uids: ['3256'], connector_ids: ['1'] };

    const allowed = await cpo.callPeer('POST', `${tokensUrl}012345678/authorize`, references);
    assert.equal(allowed.httpStatus, 200);
    assert.equal(status(allowed.body), 1000);
    assert.deepEqual(dataOf(allowed.body), { allowed: 'ALLOWED', location: references }, 'no token, no authorization_reference in 2.1.1');

    emsp.behaviour.authorizeAllowed = 'BLOCKED';
    const blocked = await cpo.callPeer('POST', `${tokensUrl}ABCDEF/authorize?type=OTHER`);
    assert.deepEqual(dataOf(blocked.body), { allowed: 'BLOCKED' }, 'no location asked, none answered');

    const notFound = async (path: string, why: string) => {
      const answer = await cpo.callPeer('POST', `${tokensUrl}${path}`);
      assert.equal(answer.httpStatus, 404, why);
      assert.equal(status(answer.body), 2000, `${why}: 2.1.1 has no 2004`);
      assert.equal(dataOf(answer.body), undefined, `${why}: no data`);
    };
    await notFound('NOPE/authorize', 'an unknown uid');
    await notFound('abcdef/authorize?type=OTHER', 'a uid in the wrong case (a 2.1.1 uid is a case-sensitive string)');
    await notFound('012345678/authorize?type=OTHER', 'a known uid of another type');
    const appUser = await cpo.callPeer('POST', `${tokensUrl}012345678/authorize?type=APP_USER`);
    assert.deepEqual([appUser.httpStatus, status(appUser.body)], [400, 2001], 'APP_USER is no 2.1.1 TokenType');
    const noLocation = await cpo.callPeer('POST', `${tokensUrl}012345678/authorize`, { evse_uids: ['3256'] });
    assert.deepEqual([noLocation.httpStatus, status(noLocation.body)], [400, 2001], 'LocationReferences without location_id');

    assert.deepEqual(
      emsp.state.authorizeRequests.map(({ uid, type }) => `${uid}:${type}`),
      ['012345678:RFID', 'ABCDEF:OTHER', 'NOPE:RFID', 'abcdef:OTHER', '012345678:OTHER', '012345678:APP_USER', '012345678:RFID'],
      'every request recorded, type RFID when the query has none',
    );
    assert.deepEqual(emsp.state.authorizeRequests[0]?.body, references);
    const authorizeCall = emsp.state.requests.find((request) => request.url.endsWith('/012345678/authorize'));
    assert.equal(authorizeCall?.authorization, `Token ${cpo.state.peerToken}`, 'the raw token C');
    assert.equal(authorizeCall.requestId, undefined, 'no X-Request-ID');
  } finally {
    await Promise.all([cpo.close(), emsp.close()]);
  }
});

test('2.1.1 commands: the CPO answers a CommandResponse {result} and posts a CommandResponse {result} to the response_url', async () => {
  const cpo = await startSimPartner({ countryCode: 'NL', partyId: 'CPO', role: 'CPO', version: '2.1.1' });
  const emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', version: '2.1.1' });
  try {
    assert.equal(status((await emsp.registerWith(cpo.versionsUrl, cpo.issueTokenA())).body), 1000);
    const commandsUrl = emsp.peerEndpoint('commands', 'RECEIVER');
    // The eMSP's own commands interface, as the CPO read it, with a unique id for this command.
    const ownCommands = cpo.state.registeredPeer!.endpoints.find((endpoint) => endpoint.identifier === 'commands')!.url;
    const responseUrl = `${ownCommands}START_SESSION/42`;
    const startSession = { response_url: responseUrl, token: token211, location_id: 'LOC1', evse_uid: '3256' };

    const answered = await emsp.callPeer('POST', `${commandsUrl}START_SESSION`, startSession);
    assert.equal(status(answered.body), 1000);
    assert.deepEqual(dataOf(answered.body), { result: 'ACCEPTED' }, 'no timeout, no message in 2.1.1');
    assert.deepEqual(cpo.state.commands.map(({ command, body }) => ({ command, body })), [{ command: 'START_SESSION', body: startSession }]);

    await until(() => cpo.state.resultsPosted.length === 1, 'the callback');
    assert.deepEqual(cpo.state.resultsPosted.map(({ url, result, httpStatus }) => ({ url, result, httpStatus })), [{ url: responseUrl, result: 'ACCEPTED', httpStatus: 200 }]);
    const callback = emsp.state.received.find((entry) => entry.path === '/ocpi/2.1.1/commands/START_SESSION/42');
    assert.ok(callback, 'the eMSP got the callback');
    assert.equal(callback.method, 'POST');
    assert.deepEqual(callback.body, { result: 'ACCEPTED' }, 'the callback is a 2.1.1 CommandResponse');
    assert.equal(callback.headers['authorization'], `Token ${cpo.state.registeredPeer!.token}`, 'the raw token B');
    assert.equal(callback.headers['x-request-id'], '', 'no X-Request-ID');

    cpo.behaviour.commandResult = 'TIMEOUT';
    const stop = await emsp.callPeer('POST', `${commandsUrl}STOP_SESSION`, { response_url: `${ownCommands}STOP_SESSION/43`, session_id: 'S1' });
    assert.deepEqual(dataOf(stop.body), { result: 'ACCEPTED' });
    await until(() => cpo.state.resultsPosted.length === 2, 'the second callback');
    assert.deepEqual(emsp.state.received.at(-1)?.body, { result: 'TIMEOUT' });

    cpo.behaviour.commandResponse = 'REJECTED';
    const rejected = await emsp.callPeer('POST', `${commandsUrl}UNLOCK_CONNECTOR`, { response_url: `${ownCommands}UNLOCK_CONNECTOR/44`, location_id: 'LOC1', evse_uid: '3256', connector_id: '1' });
    assert.deepEqual(dataOf(rejected.body), { result: 'REJECTED' });

    const cancel = await emsp.callPeer('POST', `${commandsUrl}CANCEL_RESERVATION`, { response_url: `${ownCommands}CANCEL_RESERVATION/45`, reservation_id: '1' });
    assert.deepEqual([cancel.httpStatus, status(cancel.body)], [400, 2001], 'CANCEL_RESERVATION is 2.2');
    const reserve = await emsp.callPeer('POST', `${commandsUrl}RESERVE_NOW`, { response_url: `${ownCommands}RESERVE_NOW/46`, token: token211, expiry_date: '2015-06-29T23:39:09Z', reservation_id: 'R1', location_id: 'LOC1' });
    assert.deepEqual([reserve.httpStatus, status(reserve.body)], [400, 2001], 'a 2.1.1 reservation_id is an int');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(cpo.state.resultsPosted.length, 2, 'nothing posted for a rejected or refused command');
  } finally {
    await Promise.all([cpo.close(), emsp.close()]);
  }
});

test('2.1.1 Receiver and Sender interfaces: pushes recorded as in 2.2.1, a CDR POST answered with its Location, pages with Link and X-Total-Count', async () => {
  const emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', version: '2.1.1' });
  const cpo = await startSimPartner({ countryCode: 'NL', partyId: 'CPO', role: 'CPO', version: '2.1.1' });
  try {
    assert.equal(status((await cpo.registerWith(emsp.versionsUrl, emsp.issueTokenA())).body), 1000);
    const location = (id: string, lastUpdated: string) => ({
      id,
      type: 'ON_STREET',
      address: 'F.Rooseveltlaan 3A',
      city: 'Gent',
      postal_code: '9000',
      country: 'BEL',
      coordinates: { latitude: '51.047599', longitude: '3.729944' },
      last_updated: lastUpdated,
    });

    const pushed = location('LOC1', '2015-06-29T20:39:09Z');
    const put = await cpo.callPeer('PUT', `${cpo.peerEndpoint('locations', 'RECEIVER')}NL/CPO/LOC1`, pushed);
    assert.deepEqual([put.httpStatus, status(put.body)], [200, 1000]);
    const entry = emsp.state.received.at(-1);
    assert.deepEqual({ method: entry?.method, path: entry?.path, body: entry?.body, answer: entry?.answer }, { method: 'PUT', path: '/ocpi/2.1.1/locations/NL/CPO/LOC1', body: pushed, answer: 'ok' });
    assert.deepEqual(entry?.headers, {
      'x-request-id': '',
      'x-correlation-id': '',
      'ocpi-from-country-code': '',
      'ocpi-from-party-id': '',
      'ocpi-to-country-code': '',
      'ocpi-to-party-id': '',
      authorization: `Token ${cpo.state.peerToken}`,
    });

    const cdr = await cpo.callPeer('POST', cpo.peerEndpoint('cdrs', 'RECEIVER'), { id: '12345', stop_date_time: '2015-06-29T23:37:32Z' });
    assert.equal(status(cdr.body), 1000);
    assert.equal(cdr.headers['location'], `${emsp.baseUrl}/ocpi/2.1.1/cdrs/12345`);

    const profiles = await cpo.callPeer('PUT', `${emsp.baseUrl}/ocpi/2.1.1/chargingprofiles/S1`, {});
    assert.equal(profiles.httpStatus, 404, '2.1.1 has no chargingprofiles');
    assert.equal(emsp.state.received.length, 2, 'only the location and the CDR were recorded');

    // The eMSP pulls the CPO's locations, page by page, with the token B the CPO registered.
    cpo.published['locations'] = ['L1', 'L2', 'L3', 'L4', 'L5'].map((id, index) => location(id, `2015-06-29T2${index}:00:00Z`));
    const locationsUrl = emsp.state.registeredPeer!.endpoints.find((endpoint) => endpoint.identifier === 'locations')!.url;
    const asEmsp = (url: string) => emsp.callPeer('GET', url, undefined, emsp.state.registeredPeer!.token);
    const ids: string[] = [];
    let next: string | undefined = `${locationsUrl}?limit=2`;
    const links: string[] = [];
    while (next) {
      const page = await asEmsp(next);
      assert.equal(status(page.body), 1000);
      assert.equal(page.headers['x-total-count'], '5');
      ids.push(...(dataOf(page.body) as { id: string }[]).map((object) => object.id));
      next = /^<([^>]+)>; rel="next"$/.exec(page.headers['link'] ?? '')?.[1];
      if (next) links.push(next);
    }
    assert.deepEqual(ids, ['L1', 'L2', 'L3', 'L4', 'L5']);
    assert.deepEqual(links, [`${locationsUrl}?limit=2&offset=2`, `${locationsUrl}?limit=2&offset=4`]);
    const since = await asEmsp(`${locationsUrl}?date_from=2015-06-29T22:00:00Z`);
    assert.equal(since.headers['x-total-count'], '3', 'date_from filters on last_updated');
  } finally {
    await Promise.all([cpo.close(), emsp.close()]);
  }
});

test('the 2.2.1 mode keeps its wire: Base64 tokens, message ids, endpoints with roles, credentials with roles, CommandResponse with timeout', async () => {
  const receiver = await startSimPartner({ countryCode: 'NL', partyId: 'RCV', role: 'CPO' });
  const sender = await startSimPartner({ countryCode: 'DE', partyId: 'SND', role: 'EMSP' });
  try {
    assert.equal(receiver.version, '2.2.1');
    const tokenA = receiver.issueTokenA();
    assert.equal(status((await sender.registerWith(receiver.versionsUrl, tokenA)).body), 1000);
    const post = receiver.state.requests.find((request) => request.method === 'POST');
    assert.equal(post?.url, '/ocpi/2.2.1/credentials/');
    assert.equal(post.authorization, `Token ${base64(tokenA)}`);
    assert.ok(post.requestId && post.correlationId, 'X-Request-ID and X-Correlation-ID sent');
    assert.deepEqual(receiver.state.registeredPeer?.roles, [{ role: 'EMSP', party_id: 'SND', country_code: 'DE', business_details: { name: 'Sim DE*SND' } }]);
    assert.ok('roles' in sender.state.peerCredentials!, 'the 2.2.1 credentials have roles');
    assert.ok(sender.state.peerEndpoints.every((endpoint) => endpoint.role === 'SENDER' || endpoint.role === 'RECEIVER'), 'every 2.2.1 endpoint has a role');
    const commandsUrl = sender.peerEndpoint('commands', 'RECEIVER');
    assert.throws(() => sender.peerEndpoint('commands', 'SENDER'), /lists no commands SENDER endpoint/);
    const answered = await sender.callPeer('POST', `${commandsUrl}START_SESSION`, { response_url: `${sender.baseUrl}/ocpi/2.2.1/commands/START_SESSION/1` });
    assert.deepEqual(dataOf(answered.body), { result: 'ACCEPTED', timeout: 30, message: [] });
    assert.ok(answered.headers['x-request-id'], 'a 2.2.1 server answers with an X-Request-ID');
    await until(() => receiver.state.resultsPosted.length === 1, 'the CommandResult');
    assert.deepEqual(sender.state.received.at(-1)?.body, { result: 'ACCEPTED', message: [] }, 'a 2.2.1 CommandResult');
  } finally {
    await Promise.all([receiver.close(), sender.close()]);
  }
});
