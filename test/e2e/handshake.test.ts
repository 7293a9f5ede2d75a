import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { Topics } from '@voltmesh/kafka';
import { partners, partnerService } from '@voltmesh/proto';
import { credentials } from '@grpc/grpc-js';
import { checkGrpcHealth } from '@voltmesh/grpc';
import { freePort, MESH_PROCESSES, meshLogFile, startSimPartner, waitFor, type SimPartner } from '@voltmesh/testing';
import { http, ocpiToken, startTestMesh, type RunningMesh } from './mesh-fixture.js';

interface Envelope {
  data?: unknown;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

const OCPI_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function envelope(body: unknown): Envelope {
  assert.ok(body && typeof body === 'object', `expected an OCPI envelope, got ${JSON.stringify(body)}`);
  const value = body as Envelope;
  assert.equal(typeof value.status_code, 'number');
  assert.match(value.timestamp, OCPI_TIMESTAMP);
  return value;
}

describe('partners connect to the mesh: versions and credentials in both directions', () => {
  let mesh: RunningMesh;
  const sims: SimPartner[] = [];
  const admin = (method: string, path: string, body?: unknown) =>
    http(method, `${mesh.adminUrl}${path}`, { authorization: `Bearer ${mesh.adminToken}`, ...(body !== undefined ? { body } : {}) });
  const sim = async (options: Parameters<typeof startSimPartner>[0]) => {
    const partner = await startSimPartner(options);
    sims.push(partner);
    return partner;
  };
  const invite = async () => {
    const invitation = await admin('POST', '/admin/invitations', { label: 'test partner' });
    assert.equal(invitation.status, 201);
    return invitation.body as { token_a: string; versions_url: string; connection_id: string };
  };
  const connections = async () => ((await admin('GET', '/admin/connections')).body as { connections: { id: string; state: string; versions_url?: string; roles: { country_code: string; party_id: string; role: string }[] }[] }).connections;

  before(async () => {
    // No grace for a rotated token here: the old one must stop working at once (the grace period
    // itself is test/security/credentials-lifecycle.test.ts).
    mesh = await startTestMesh('handshake', { CREDENTIALS_ROTATION_GRACE_MS: '0' });
  });
  after(async () => {
    await Promise.all(sims.map((partner) => partner.close()));
    await mesh?.stop();
  });

  test('versions and version details: every interface of both our roles, with request ids echoed', async () => {
    const { token_a: tokenA } = await invite();
    const noToken = await http('GET', mesh.versionsUrl);
    assert.equal(noToken.status, 401);
    envelope(noToken.body);
    assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken('not-a-token') })).status, 401);

    const versions = await http('GET', mesh.versionsUrl, {
      authorization: ocpiToken(tokenA),
      headers: { 'x-request-id': 'req-1', 'x-correlation-id': 'corr-1' },
    });
    assert.equal(versions.status, 200);
    assert.equal(versions.headers.get('x-request-id'), 'req-1');
    assert.equal(versions.headers.get('x-correlation-id'), 'corr-1');
    const list = envelope(versions.body);
    assert.equal(list.status_code, 1000);
    const detailsUrl = mesh.versionsUrl.replace('/versions', '/2.2.1');
    assert.deepEqual(list.data, [
      { version: '2.2.1', url: detailsUrl },
      { version: '2.1.1', url: mesh.versionsUrl.replace('/versions', '/2.1.1') },
    ]);

    // Raw (not Base64) tokens from lax partners are accepted too; ids are generated when absent.
    const details = await http('GET', detailsUrl, { authorization: `Token ${tokenA}` });
    assert.equal(details.status, 200);
    assert.ok(details.headers.get('x-request-id'), 'details.headers.get("x-request-id")');
    assert.ok(details.headers.get('x-correlation-id'), 'details.headers.get("x-correlation-id")');
    const data = envelope(details.body).data as { version: string; endpoints: { identifier: string; role: string; url: string }[] };
    assert.equal(data.version, '2.2.1');
    const pairs = new Set(data.endpoints.map((endpoint) => `${endpoint.identifier}/${endpoint.role}`));
    for (const module of ['locations', 'sessions', 'cdrs', 'tariffs']) {
      assert.ok(pairs.has(`${module}/SENDER`), `CPO ${module} Sender`);
      assert.ok(pairs.has(`${module}/RECEIVER`), `eMSP ${module} Receiver`);
    }
    for (const module of ['tokens', 'commands']) {
      assert.ok(pairs.has(`${module}/SENDER`) && pairs.has(`${module}/RECEIVER`), module);
    }
    assert.ok(pairs.has('credentials/SENDER'), 'pairs.has("credentials/SENDER")');
    assert.equal(data.endpoints.filter((endpoint) => endpoint.identifier === 'credentials').length, 1);
    for (const endpoint of data.endpoints) assert.ok(endpoint.url.endsWith('/'), `${endpoint.url} ends in /`);

    const unknown = await http('GET', mesh.versionsUrl.replace('/versions', '/9.9.9'), { authorization: ocpiToken(tokenA) });
    assert.equal(unknown.status, 404);
    assert.equal(envelope(unknown.body).status_code, 2000);
  });

  test('a token A opens versions and credentials only', async () => {
    const { token_a: tokenA } = await invite();
    const base = mesh.versionsUrl.replace('/versions', '/2.2.1');
    const functional = await http('GET', `${base}/cpo/locations/`, { authorization: ocpiToken(tokenA) });
    assert.equal(functional.status, 401);
    assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken(tokenA) })).status, 200);
    // Not registered yet: GET/PUT/DELETE credentials are refused with 405.
    assert.equal((await http('DELETE', `${base}/credentials`, { authorization: ocpiToken(tokenA) })).status, 405);
  });

  test('a partner registers with us with token A, reads, rotates and deletes its credentials', async () => {
    const partner = await sim({ countryCode: 'DE', partyId: 'ABC', role: 'EMSP', name: 'Partner eMSP' });
    const invitation = await invite();
    const registered = await partner.registerWith(invitation.versions_url, invitation.token_a);
    assert.equal(envelope(registered.body).status_code, 1000, JSON.stringify(registered.body));
    const tokenC = partner.state.peerToken;
    assert.ok(tokenC, 'tokenC');
    assert.notEqual(tokenC, invitation.token_a);

    // We read the partner's versions and details with the token it gave us.
    const seen = partner.state.requests.filter((request) => request.method === 'GET' && request.url.endsWith('/ocpi/versions'));
    assert.ok(seen.length > 0, 'we fetched the partner versions');
    assert.ok(seen.every((request) => request.authorization?.startsWith('Token ')), 'seen.every((request) => request.authorization?.startsWith("Token "))');

    const connection = (await connections()).find((entry) => entry.id === invitation.connection_id);
    assert.equal(connection?.state, 'REGISTERED');
    assert.deepEqual(connection?.roles.map((role) => `${role.role}:${role.country_code}*${role.party_id}`), ['EMSP:DE*ABC']);

    // Token A is dead; registering again with the new token is 405.
    assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken(invitation.token_a) })).status, 401);
    assert.equal((await partner.callPeer('POST', `${mesh.versionsUrl.replace('/versions', '/2.2.1')}/credentials`, { token: 'x', url: partner.versionsUrl, roles: [] })).httpStatus, 405);

    const ours = await partner.getCredentials();
    const credentials = envelope(ours.body).data as { token: string; url: string; roles: { role: string; country_code: string; party_id: string }[] };
    assert.equal(credentials.token, tokenC);
    assert.equal(credentials.url, mesh.versionsUrl);
    assert.deepEqual(credentials.roles.map((role) => `${role.role}:${role.country_code}*${role.party_id}`).sort(), ['CPO:NL*VLT', 'EMSP:NL*VLM']);

    // At rest the tokens are encrypted: no stored field holds them in clear.
    const mongo = new MongoClient(mesh.mongoUrl);
    try {
      const stored = await mongo.db(`${mesh.databasePrefix}_gateway`).collection('connections').findOne({ _id: invitation.connection_id as never });
      const text = JSON.stringify(stored);
      assert.ok(stored, 'stored');
      assert.ok(!text.includes(tokenC), 'token C (theirs to call us) not in clear');
      assert.ok(partner.state.issuedTokens.length > 0, 'partner.state.issuedTokens.length > 0');
      for (const token of partner.state.issuedTokens) assert.ok(!text.includes(token), 'token B (ours to call them) not in clear');
    } finally {
      await mongo.close();
    }

    const rotated = await partner.updateCredentials();
    assert.equal(envelope(rotated.body).status_code, 1000);
    const newC = partner.state.peerToken;
    assert.ok(newC && newC !== tokenC, 'newC && newC !== tokenC');
    assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken(tokenC) })).status, 401);
    assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken(newC) })).status, 200);

    const gone = await partner.unregister();
    assert.equal(envelope(gone.body).status_code, 1000);
    assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken(newC) })).status, 401);
    assert.equal((await connections()).find((entry) => entry.id === invitation.connection_id)?.state, 'UNREGISTERED');
  });

  test('connection changes are published to Kafka and reach the dispatcher', async () => {
    const partner = await sim({ countryCode: 'FR', partyId: 'EVT', role: 'CPO' });
    const invitation = await invite();
    assert.equal(envelope((await partner.registerWith(invitation.versions_url, invitation.token_a)).body).status_code, 1000);

    const kafka = new Kafka({ brokers: mesh.kafkaBrokers, clientId: 'e2e-reader', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-reader-${Date.now()}` });
    const changes: partners.PartnerConnectionChanged[] = [];
    const traceparents = new Map<string, string>();
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.partnerConnection.name, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const change = partners.PartnerConnectionChanged.decode(message.value ?? Buffer.alloc(0));
        changes.push(change);
        traceparents.set(change.connection?.id ?? '', String(message.headers?.['traceparent'] ?? ''));
      },
    });
    try {
      await waitFor('the REGISTERED event', async () => changes.some((change) => change.connection?.id === invitation.connection_id), 30_000);
      const change = changes.find((entry) => entry.connection?.id === invitation.connection_id)!;
      assert.equal(change.change, partners.ChangeKind.CHANGE_KIND_REGISTERED);
      assert.equal(change.connection?.roles[0]?.party?.partyId, 'EVT');
      assert.ok(!JSON.stringify(partners.PartnerConnectionChanged.toJSON(change)).includes(partner.state.peerToken ?? '\u0000'), 'no token in the event');

      // The partner's POST, the gateway's log line and the Kafka event share one trace.
      const logged = readFileSync(meshLogFile(mesh.stateDir, 'partner-gateway'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"msg":"partner registered"') && line.includes(invitation.connection_id))
        .map((line) => JSON.parse(line) as { trace_id?: string });
      assert.equal(logged.length, 1);
      const traceId = logged[0]!.trace_id;
      assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
      assert.notEqual(traceId, '0'.repeat(32));
      assert.equal(traceparents.get(invitation.connection_id)?.split('-')[1], traceId, 'traceparent header carries the request trace');
    } finally {
      await consumer.disconnect();
    }
    await waitFor(
      'the dispatcher to load the new partner',
      async () => readFileSync(meshLogFile(mesh.stateDir, 'dispatcher'), 'utf8').includes(`"connection_id":"${invitation.connection_id}","registered":true`),
      30_000,
    );
  });

  test('we register with a partner from its versions URL and token A, and unregister from the admin API', async () => {
    const partner = await sim({ countryCode: 'BE', partyId: 'CPX', role: 'CPO' });
    const tokenA = partner.issueTokenA();
    const created = await admin('POST', '/admin/connections', { versions_url: partner.versionsUrl, token_a: tokenA, label: 'BE CPO' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const connection = created.body as { id: string; state: string; version: string; roles: { role: string; country_code: string; party_id: string }[]; endpoints: unknown[] };
    assert.equal(connection.state, 'REGISTERED');
    assert.equal(connection.version, '2.2.1');
    assert.deepEqual(connection.roles.map((role) => `${role.role}:${role.country_code}*${role.party_id}`), ['CPO:BE*CPX']);
    assert.ok(connection.endpoints.length > 1, 'connection.endpoints.length > 1');

    // The partner holds our token B and can call us with it; it was checked during our POST.
    const tokenB = partner.state.registeredPeer?.token;
    assert.ok(tokenB, 'tokenB');
    assert.equal((await partner.callPeer('GET', mesh.versionsUrl, undefined, tokenB)).httpStatus, 200);

    const removed = await admin('DELETE', `/admin/connections/${connection.id}`);
    assert.equal(removed.status, 200);
    assert.equal((removed.body as { partner_unregistered: boolean }).partner_unregistered, true);
    assert.equal(partner.state.registeredPeer, undefined, 'the partner forgot us');
    assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken(tokenB) })).status, 401);
  });

  test('our token is sent raw to a partner configured for plain tokens', async () => {
    const partner = await sim({ countryCode: 'BE', partyId: 'PLN', role: 'CPO' });
    const tokenA = partner.issueTokenA();
    const created = await admin('POST', '/admin/connections', { versions_url: partner.versionsUrl, token_a: tokenA, auth_mode: 'plain' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ours = partner.state.requests.filter((request) => request.url.startsWith('/ocpi/'));
    assert.ok(ours.length >= 3, 'ours.length >= 3');
    assert.ok(ours.every((request) => request.authorization === `Token ${tokenA}`), 'raw token A on every call');
    assert.ok(ours.every((request) => request.requestId && request.correlationId), 'X-Request-ID and X-Correlation-ID on every call');
  });

  test('internal teams see connections over gRPC PartnerService, without tokens', async () => {
    const client = new partnerService.PartnerServiceClient(`127.0.0.1:${mesh.grpcPorts['partner-gateway']}`, credentials.createInsecure());
    try {
      const response = await new Promise<partnerService.ListConnectionsResponse>((resolve, reject) =>
        client.listConnections({ state: partners.ConnectionState.CONNECTION_STATE_REGISTERED }, (error, value) => (error ? reject(error) : resolve(value))),
      );
      assert.ok(response.connections.length > 0, 'response.connections.length > 0');
      assert.ok(response.connections.every((connection) => connection.state === partners.ConnectionState.CONNECTION_STATE_REGISTERED), 'response.connections.every((connection) => connection.state === partners.ConnectionState.CONNECTI...');
      assert.ok(response.connections.some((connection) => connection.roles.some((role) => role.party?.partyId === 'CPX' || role.party?.partyId === 'PLN')), 'response.connections.some((connection) => connection.roles.some((role) => role.party?.partyId ===...');
      const missing = await new Promise<{ code?: number }>((resolve) => client.getConnection({ id: 'nope' }, (error) => resolve(error ?? {})));
      assert.equal(missing.code, 5, 'NOT_FOUND');
    } finally {
      client.close();
    }
  });

  describe('handshake failures name their cause and store nothing', () => {
    test('a wrong token A at the partner: 3001 naming the partner answer', async () => {
      const partner = await sim({ countryCode: 'BE', partyId: 'BAD', role: 'CPO' });
      const before = (await connections()).length;
      const result = await admin('POST', '/admin/connections', { versions_url: partner.versionsUrl, token_a: 'wrong-token' });
      assert.equal(result.status, 502);
      const error = (result.body as { error: { ocpi_status: number; message: string } }).error;
      assert.equal(error.ocpi_status, 3001);
      assert.match(error.message, /versions/);
      assert.match(error.message, /401/);
      assert.equal((await connections()).length, before, 'nothing half-stored');
    });

    test('an unreachable versions URL: 3001 naming the connection error', async () => {
      const closed = await freePort();
      const result = await admin('POST', '/admin/connections', { versions_url: `http://127.0.0.1:${closed}/ocpi/versions`, token_a: 'whatever' });
      assert.equal(result.status, 502);
      const error = (result.body as { error: { ocpi_status: number; message: string } }).error;
      assert.equal(error.ocpi_status, 3001);
      assert.match(error.message, /ECONNREFUSED/);
    });

    test('no common version: 3002', async () => {
      const partner = await sim({ countryCode: 'BE', partyId: 'OLD', role: 'CPO', versions: ['2.0', '2.3.0'] });
      const result = await admin('POST', '/admin/connections', { versions_url: partner.versionsUrl, token_a: partner.issueTokenA() });
      assert.equal(result.status, 502);
      const error = (result.body as { error: { ocpi_status: number; message: string } }).error;
      assert.equal(error.ocpi_status, 3002);
      assert.match(error.message, /partner offers 2\.0, 2\.3\.0, we speak 2\.2\.1, 2\.1\.1/);
    });

    test('a partner on 2.1.1 only, connected without naming its role: 3002 saying the role is needed', async () => {
      const partner = await sim({ countryCode: 'BE', partyId: 'OLD', role: 'CPO', versions: ['2.1.1'] });
      const result = await admin('POST', '/admin/connections', { versions_url: partner.versionsUrl, token_a: partner.issueTokenA() });
      assert.equal(result.status, 502);
      const error = (result.body as { error: { ocpi_status: number; message: string } }).error;
      assert.equal(error.ocpi_status, 3002);
      assert.match(error.message, /2\.1\.1 needs the partner's role/);
    });

    test('a partner whose versions endpoint fails while it registers: 3001, token A stays usable', async () => {
      const partner = await sim({ countryCode: 'NL', partyId: 'FLK', role: 'EMSP' });
      const invitation = await invite();
      partner.faults.versionsStatus = 500;
      const failed = await partner.registerWith(invitation.versions_url, invitation.token_a);
      const body = envelope(failed.body);
      assert.equal(body.status_code, 3001);
      assert.match(body.status_message ?? '', /versions/);
      assert.equal((await connections()).find((entry) => entry.id === invitation.connection_id)?.state, 'PENDING');
      delete partner.faults.versionsStatus;
      const retried = await partner.registerWith(invitation.versions_url, invitation.token_a);
      assert.equal(envelope(retried.body).status_code, 1000);
    });

    test('a reused token A is refused with 401', async () => {
      const first = await sim({ countryCode: 'NL', partyId: 'ONE', role: 'EMSP' });
      const second = await sim({ countryCode: 'NL', partyId: 'TWO', role: 'EMSP' });
      const invitation = await invite();
      assert.equal(envelope((await first.registerWith(invitation.versions_url, invitation.token_a)).body).status_code, 1000);
      // The second partner holds the same (now used) token A: every door is closed to it.
      assert.equal((await http('GET', mesh.versionsUrl, { authorization: ocpiToken(invitation.token_a) })).status, 401);
      const credentialsUrl = `${mesh.versionsUrl.replace('/versions', '/2.2.1')}/credentials`;
      const reused = await second.callPeer('POST', credentialsUrl, { token: second.issueTokenA(), url: second.versionsUrl, roles: [] }, invitation.token_a);
      assert.equal(reused.httpStatus, 401);
    });

    test('malformed credentials: 2001 naming the field; invalid JSON: HTTP 400', async () => {
      const { token_a: tokenA } = await invite();
      const credentialsUrl = `${mesh.versionsUrl.replace('/versions', '/2.2.1')}/credentials`;
      const bad = await http('POST', credentialsUrl, { authorization: ocpiToken(tokenA), body: { token: 'abc', url: 'not a url', roles: [] } });
      const body = envelope(bad.body);
      assert.equal(body.status_code, 2001);
      assert.match(body.status_message ?? '', /url/);
      const missing = await http('POST', credentialsUrl, { authorization: ocpiToken(tokenA), body: { url: 'http://127.0.0.1:1/v', roles: [{ role: 'CPO', party_id: 'TOOLONG', country_code: 'NL', business_details: { name: 'x' } }] } });
      const missingBody = envelope(missing.body);
      assert.equal(missingBody.status_code, 2001);
      assert.match(missingBody.status_message ?? '', /token/);
      assert.match(missingBody.status_message ?? '', /party_id/);
      const notJson = await http('POST', credentialsUrl, { authorization: ocpiToken(tokenA), rawBody: '{"token": ' });
      assert.equal(notJson.status, 400);
      assert.equal(envelope(notJson.body).status_code, 2001);
    });

    test('a partner may not claim one of our own parties', async () => {
      const partner = await sim({ countryCode: 'NL', partyId: 'VLT', role: 'CPO' });
      const invitation = await invite();
      const result = await partner.registerWith(invitation.versions_url, invitation.token_a);
      const body = envelope(result.body);
      assert.equal(body.status_code, 2001);
      assert.match(body.status_message ?? '', /NL\*VLT/);
    });

    test('the admin API needs its bearer token', async () => {
      assert.equal((await http('GET', `${mesh.adminUrl}/admin/connections`)).status, 401);
      assert.equal((await http('GET', `${mesh.adminUrl}/admin/connections`, { authorization: 'Bearer wrong' })).status, 401);
    });
  });

  test('every process is healthy, then stops gracefully on SIGTERM', async () => {
    for (const process of MESH_PROCESSES) {
      assert.equal(await checkGrpcHealth(`127.0.0.1:${mesh.grpcPorts[process.name]}`), 'SERVING', process.name);
    }
    await mesh.stop();
    for (const process of MESH_PROCESSES) {
      const log = readFileSync(meshLogFile(mesh.stateDir, process.name), 'utf8');
      assert.match(log, /"msg":"stopped"/, `${process.name} stopped gracefully`);
      assert.doesNotMatch(log, /"level":"fatal"/, process.name);
    }
  });
});
