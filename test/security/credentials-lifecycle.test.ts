import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MongoClient } from 'mongodb';
import { MESH_PROCESSES, sleep, startOtlpReceiver, startSimPartner, stopMesh, testInfra, type OtlpReceiver, type SimPartner } from '@voltmesh/testing';
import { connectPartner, eventually, http, ocpiToken, startTestMesh, type Envelope, type HttpResult, type RunningMesh } from '../e2e/mesh-fixture.js';

const TOKEN_A_TTL_MS = 5_000;
const GRACE_MS = 2_500;
const RATE_BURST = 10;

/**
 * Credentials tokens over their life, against the whole mesh: token A works once and expires;
 * a rotated token keeps working for the configured grace period (functional modules only), a
 * DELETE revokes every token at once (the gateway's token cache included); no token is stored
 * in plaintext, written to a log, put on a span or a metric. Then the request rate per partner
 * on every module: HTTP 429 with Retry-After and an OCPI envelope, one partner's flood never
 * limiting another on the same address.
 */
describe('security: credentials token lifecycle and per-partner rate limits', () => {
  let receiver: OtlpReceiver;
  let mesh: RunningMesh;
  let base: string;
  const partners: SimPartner[] = [];
  /** Every token that passed between us and a partner, to look for afterwards. */
  const secrets = new Set<string>();
  const admin = (method: string, path: string, body?: unknown) => http(method, `${mesh.adminUrl}${path}`, { authorization: `Bearer ${mesh.adminToken}`, ...(body !== undefined ? { body } : {}) });
  const withToken = (token: string, method: string, path: string, body?: unknown) => http(method, `${base}${path}`, { authorization: ocpiToken(token), ...(body !== undefined ? { body } : {}) });
  const statusOf = (result: HttpResult) => (result.body as Envelope | undefined)?.status_code;
  const remember = (partner: SimPartner) => {
    if (partner.state.peerToken) secrets.add(partner.state.peerToken);
    for (const token of partner.state.issuedTokens) secrets.add(token);
  };
  const newPartner = async (partyId: string, role: 'CPO' | 'EMSP' = 'CPO') => {
    const partner = await startSimPartner({ countryCode: 'BE', partyId, role });
    partners.push(partner);
    await connectPartner(mesh, partner);
    remember(partner);
    return partner;
  };
  const invite = async () => {
    const invitation = (await admin('POST', '/admin/invitations', { label: 'lifecycle' })).body as { token_a: string; versions_url: string };
    secrets.add(invitation.token_a);
    return invitation;
  };

  before(async () => {
    receiver = await startOtlpReceiver();
    mesh = await startTestMesh('security-credentials', {
      REGISTRATION_TOKEN_TTL_MS: String(TOKEN_A_TTL_MS),
      CREDENTIALS_ROTATION_GRACE_MS: String(GRACE_MS),
      // One a minute: a loaded machine answering slowly must not refill the bucket during the burst.
      PARTNER_RATE_PER_MINUTE: '1',
      PARTNER_RATE_BURST: String(RATE_BURST),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    base = mesh.versionsUrl.replace(/\/ocpi\/versions$/, '');
    secrets.add(mesh.adminToken);
  });

  after(async () => {
    await Promise.all(partners.map((partner) => partner.close()));
    // A mesh that failed to start is stopped too (its processes' pid files are in its folder).
    await (mesh ? mesh.stop() : stopMesh(join(testInfra().stateDir, 'security-credentials')));
    await receiver?.close();
  });

  test('token A registers once; used again, or after its TTL, it opens nothing', async () => {
    const partner = await startSimPartner({ countryCode: 'BE', partyId: 'TKA', role: 'CPO' });
    const late = await startSimPartner({ countryCode: 'BE', partyId: 'TKL', role: 'CPO' });
    partners.push(partner, late);
    const used = await invite();
    assert.equal(statusOf((await partner.registerWith(used.versions_url, used.token_a)) as unknown as HttpResult), 1000, 'registered with token A');
    remember(partner);
    assert.equal((await withToken(used.token_a, 'GET', '/ocpi/versions')).status, 401, 'a used token A opens not even the versions');
    assert.equal((await withToken(used.token_a, 'POST', '/ocpi/2.2.1/credentials', { token: 'x', url: partner.versionsUrl, roles: [] })).status, 401, 'nor a second registration');

    const expiring = await invite();
    assert.equal((await withToken(expiring.token_a, 'GET', '/ocpi/versions')).status, 200, 'a fresh token A opens the versions');
    await sleep(TOKEN_A_TTL_MS + 300);
    assert.equal((await withToken(expiring.token_a, 'GET', '/ocpi/versions')).status, 401, `after REGISTRATION_TOKEN_TTL_MS (${TOKEN_A_TTL_MS} ms) it does not`);
    await assert.rejects(late.registerWith(expiring.versions_url, expiring.token_a), /401/, 'an expired token A cannot register');
    const connections = ((await admin('GET', '/admin/connections')).body as { connections: Array<{ roles: Array<{ party_id: string }> }> }).connections;
    assert.ok(!connections.some((connection) => connection.roles.some((role) => role.party_id === 'TKL')), 'nothing registered with it');
  });

  test('PUT credentials: the old token keeps working on functional modules for the grace period only, never on credentials; the new one works', async () => {
    const partner = await newPartner('ROT');
    const old = partner.state.peerToken!;
    assert.equal(statusOf(await withToken(old, 'GET', '/ocpi/2.2.1/cpo/locations')), 1000, 'the token works (and is now in the gateway’s token cache)');
    const rotated = await partner.updateCredentials();
    assert.equal(statusOf(rotated as unknown as HttpResult), 1000, 'rotated');
    const rotatedAt = Date.now();
    remember(partner);
    const fresh = partner.state.peerToken!;
    assert.notEqual(fresh, old, 'a new token');
    assert.equal(statusOf(await withToken(fresh, 'GET', '/ocpi/2.2.1/cpo/locations')), 1000, 'the new token works');
    assert.equal(statusOf(await withToken(old, 'GET', '/ocpi/2.2.1/cpo/locations')), 1000, 'the old one still does, within the grace period');
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const credentials = await withToken(old, method, '/ocpi/2.2.1/credentials', method === 'PUT' ? { token: 'stolen', url: partner.versionsUrl, roles: [] } : undefined);
      assert.equal(credentials.status, 401, `${method} credentials with the old token: refused (it would hand out, replace or revoke the new one)`);
    }
    assert.ok(Date.now() - rotatedAt < GRACE_MS, 'those checks ran within the grace period');
    await sleep(GRACE_MS - (Date.now() - rotatedAt) + 300);
    assert.equal((await withToken(old, 'GET', '/ocpi/2.2.1/cpo/locations')).status, 401, `after CREDENTIALS_ROTATION_GRACE_MS (${GRACE_MS} ms) the old token is refused`);
    assert.equal(statusOf(await withToken(fresh, 'GET', '/ocpi/2.2.1/cpo/locations')), 1000, 'the new one still works');
  });

  test('DELETE credentials revokes at once: the current token and one still in its grace period', async () => {
    const partner = await newPartner('DEL');
    const first = partner.state.peerToken!;
    await partner.updateCredentials();
    remember(partner);
    const current = partner.state.peerToken!;
    assert.equal(statusOf(await withToken(current, 'GET', '/ocpi/2.2.1/cpo/tariffs')), 1000, 'the current token works (and is cached)');
    assert.equal(statusOf(await withToken(first, 'GET', '/ocpi/2.2.1/cpo/tariffs')), 1000, 'the rotated one too, in its grace period');
    assert.equal(statusOf((await partner.unregister()) as unknown as HttpResult), 1000, 'unregistered');
    assert.equal((await withToken(current, 'GET', '/ocpi/2.2.1/cpo/tariffs')).status, 401, 'the current token is refused at once (not after AUTH_CACHE_MS)');
    assert.equal((await withToken(first, 'GET', '/ocpi/2.2.1/cpo/tariffs')).status, 401, 'and the one in its grace period too');
  });

  test('every partner has its own bucket per module: beyond the burst HTTP 429 with Retry-After and an OCPI envelope; another partner on the same address is not limited', async () => {
    const flooding = await newPartner('FLD');
    const quiet = await newPartner('QUI', 'EMSP');
    const modules: Array<[module: string, method: string, path: string]> = [
      ['versions', 'GET', '/ocpi/versions'],
      ['credentials', 'GET', '/ocpi/2.2.1/credentials'],
      ['cpo/locations', 'GET', '/ocpi/2.2.1/cpo/locations'],
      ['emsp/locations', 'GET', '/ocpi/2.2.1/emsp/locations/BE/FLD/L1'],
      ['cpo/tariffs', 'GET', '/ocpi/2.2.1/cpo/tariffs'],
      ['emsp/tariffs', 'GET', '/ocpi/2.2.1/emsp/tariffs/BE/FLD/T1'],
      ['cpo/tokens', 'GET', '/ocpi/2.2.1/cpo/tokens/BE/FLD/U1'],
      ['emsp/tokens', 'GET', '/ocpi/2.2.1/emsp/tokens'],
      ['cpo/sessions', 'GET', '/ocpi/2.2.1/cpo/sessions?date_from=2026-01-01T00:00:00Z'],
      ['emsp/sessions', 'GET', '/ocpi/2.2.1/emsp/sessions/BE/FLD/S1'],
      ['cpo/cdrs', 'GET', '/ocpi/2.2.1/cpo/cdrs'],
      ['emsp/cdrs', 'GET', '/ocpi/2.2.1/emsp/cdrs/BE/FLD/C1'],
      ['cpo/commands', 'POST', '/ocpi/2.2.1/cpo/commands/UNLOCK_CONNECTOR'],
      ['emsp/commands', 'POST', '/ocpi/2.2.1/emsp/commands/START_SESSION/unknown'],
      ['cpo/chargingprofiles', 'GET', '/ocpi/2.2.1/cpo/chargingprofiles/S1'],
      ['emsp/chargingprofiles', 'PUT', '/ocpi/2.2.1/emsp/chargingprofiles/S1'],
      ['hubclientinfo', 'GET', '/ocpi/2.2.1/hubclientinfo/BE/FLD'],
    ];
    const flood = flooding.state.peerToken!;
    const calm = quiet.state.peerToken!;
    for (const [module, method, path] of modules) {
      const body = method === 'GET' ? undefined : {};
      const answers = await Promise.all(Array.from({ length: RATE_BURST + 2 }, () => withToken(flood, method, path, body)));
      const limited = answers.filter((answer) => answer.status === 429);
      // The registration already took up to 3 of the versions and credentials buckets.
      assert.ok(limited.length >= 2 && limited.length <= 5, `${module}: beyond the burst of ${RATE_BURST} the flooding partner gets 429 (${answers.map((answer) => answer.status).join(',')})`);
      const first = limited[0]!;
      assert.ok(Number(first.headers.get('retry-after')) >= 1, `${module}: Retry-After in whole seconds`);
      assert.equal(statusOf(first), 2000, `${module}: an OCPI envelope (2000)`);
      assert.match((first.body as Envelope).status_message ?? '', new RegExp(`too many requests to ${module.replace('/', '\\/')}`), `${module}: the message names the module`);
      assert.notEqual((await withToken(calm, method, path, body)).status, 429, `${module}: another partner from the same address is not limited`);
    }
    const retry = await withToken(flood, 'GET', '/ocpi/2.2.1/cpo/tariffs');
    assert.equal(retry.status, 429, 'the flood stays limited');
    assert.ok(Number(retry.headers.get('retry-after')) > 30, `Retry-After follows PARTNER_RATE_PER_MINUTE (1): ${retry.headers.get('retry-after')} s`);
  });

  test('no token is stored in plaintext (every gateway collection), nor in a log file, a span or a metric of any process', async () => {
    const forms = [...secrets].flatMap((token) => [token, Buffer.from(token, 'utf8').toString('base64')]);
    assert.ok(secrets.size >= 10, `tokens from every step collected (${secrets.size})`);
    const leaks = (where: string, text: string) => forms.filter((form) => text.includes(form)).map((form) => `${where} holds ${form.slice(0, 6)}…`);

    const client = await MongoClient.connect(mesh.mongoUrl, { serverSelectionTimeoutMS: 5_000 });
    const found: string[] = [];
    try {
      const database = client.db(`${mesh.databasePrefix}_gateway`);
      const collections = await database.listCollections().toArray();
      assert.ok(collections.some((collection) => collection.name === 'connections'), 'the gateway collections were read');
      for (const { name } of collections) found.push(...leaks(`collection ${name}`, JSON.stringify(await database.collection(name).find({}).toArray())));
    } finally {
      await client.close();
    }

    const logs = join(mesh.stateDir, 'logs');
    const files = readdirSync(logs).filter((file) => file.endsWith('.log'));
    assert.ok(files.length >= MESH_PROCESSES.length, `every process's log was read (${files.join(', ')})`);
    for (const file of files) found.push(...leaks(`log ${file}`, readFileSync(join(logs, file), 'utf8')));

    const spans = await eventually(() => receiver.spans(), (all) => all.some((span) => span.service === 'partner-gateway' && span.name.includes('credentials')), 'the credentials requests’ spans exported');
    found.push(...leaks('the exported spans', JSON.stringify(spans)));

    for (const process of MESH_PROCESSES) {
      const metrics = await (await fetch(`http://127.0.0.1:${mesh.metricsPorts[process.name]}/metrics`)).text();
      assert.ok(metrics.length > 0, `${process.name} serves metrics`);
      found.push(...leaks(`${process.name} /metrics`, metrics));
    }
    assert.deepEqual(found, [], 'no token anywhere');
  });
});
