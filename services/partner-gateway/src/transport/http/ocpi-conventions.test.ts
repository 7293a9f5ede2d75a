import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { aPartner, authAs, ocpiTestApp } from './route-test-harness.js';
import { httpServerTimeouts } from './server-options.js';

const partner = aPartner('cpo-conn', [['CPO', 'BE', 'BEC']]);
const body = (response: { body: string }) => JSON.parse(response.body) as { status_code: number; status_message?: string; timestamp?: string };

const apps: FastifyInstance[] = [];
after(async () => {
  for (const app of apps) await app.close();
});

/** The conventions with one JSON route that echoes what it got, and the unknown-module fallbacks. */
async function setUp(): Promise<FastifyInstance> {
  const app = await ocpiTestApp([partner], (routes) => {
    routes.get('/ocpi/2.2.1/emsp/locations/:cc/:pid/:id', { config: { auth: 'registered' } }, async (request) => ({ status_code: 1000, data: request.params, timestamp: new Date().toISOString() }));
    routes.put('/ocpi/2.2.1/emsp/locations/:cc/:pid/:id', { config: { auth: 'registered' } }, async (request) => ({ status_code: 1000, data: request.body, timestamp: new Date().toISOString() }));
  });
  apps.push(app);
  return app;
}

describe('OCPI conventions: what the router and the body parsers refuse', () => {
  test('a malformed %-escape in the path: HTTP 400, 2001 naming the path, request ids echoed', async () => {
    const app = await setUp();
    for (const path of ['/ocpi/2.2.1/emsp/locations/BE/BEC/%FF', '/ocpi/2.2.1/emsp/locations/BE/BEC/%E0%A4%A', '/ocpi/2.2.1/emsp/locations/BE/%C3%28/X']) {
      const response = await app.inject({ method: 'GET', url: path, headers: { ...authAs(partner), 'x-request-id': 'req-1', 'x-correlation-id': 'corr-1' } });
      assert.equal(response.statusCode, 400, `${path}: ${response.body}`);
      const envelope = body(response);
      assert.equal(envelope.status_code, 2001, `${path}: ${response.body}`);
      assert.ok(envelope.status_message?.includes(path), `${path}: the message names the path: ${envelope.status_message}`);
      assert.ok(typeof envelope.timestamp === 'string', `${path}: an OCPI timestamp`);
      assert.equal(response.headers['x-request-id'], 'req-1', `${path}: X-Request-ID echoed`);
      assert.equal(response.headers['x-correlation-id'], 'corr-1', `${path}: X-Correlation-ID echoed`);
    }
    // A well-formed escape still reaches the route, decoded.
    const fine = await app.inject({ method: 'GET', url: '/ocpi/2.2.1/emsp/locations/BE/BEC/%C3%A9', headers: authAs(partner) });
    assert.equal(fine.statusCode, 200, fine.body);
    assert.deepEqual((JSON.parse(fine.body) as { data: unknown }).data, { cc: 'BE', pid: 'BEC', id: 'é' }, 'decoded param');
  });

  test('a path segment longer than any OCPI id: an unknown endpoint (404, 2000), the echoed path shortened', async () => {
    const app = await setUp();
    const response = await app.inject({ method: 'GET', url: `/ocpi/2.2.1/emsp/locations/BE/BEC/${'X'.repeat(3_000)}`, headers: authAs(partner) });
    assert.equal(response.statusCode, 404, response.body);
    assert.equal(body(response).status_code, 2000, response.body);
    assert.ok(body(response).status_message!.length < 400, `the echoed path is shortened: ${body(response).status_message}`);
  });

  test('text/plain is HTTP 415 with 2001 naming the Content-Type, like every type that is not JSON; application/json is read', async () => {
    const app = await setUp();
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/xml']) {
      const response = await app.inject({ method: 'PUT', url: '/ocpi/2.2.1/emsp/locations/BE/BEC/TXT', headers: { ...authAs(partner), 'content-type': type }, payload: '{"id":"TXT"}' });
      assert.equal(response.statusCode, 415, `${type}: ${response.body}`);
      assert.equal(body(response).status_code, 2001, `${type}: ${response.body}`);
      assert.match(body(response).status_message ?? '', /Content-Type/, `${type}: the message names the header`);
    }
    const json = await app.inject({ method: 'PUT', url: '/ocpi/2.2.1/emsp/locations/BE/BEC/TXT', headers: { ...authAs(partner), 'content-type': 'application/json; charset=utf-8' }, payload: '{"id":"TXT"}' });
    assert.equal(json.statusCode, 200, json.body);
    assert.deepEqual((JSON.parse(json.body) as { data: unknown }).data, { id: 'TXT' }, 'the JSON body reached the route');
  });

  test('a module we do not have: HTTP 404 with 2000 naming the path for a partner, 401 for anyone else', async () => {
    const app = await setUp();
    for (const [method, url] of [
      ['POST', '/ocpi/2.2.1/emsp/Hw0'],
      ['GET', '/ocpi/2.2.1/cpo/parking/S1'],
      ['PUT', '/ocpi/2.2.1/emsp/locations'],
    ] as const) {
      const response = await app.inject({ method, url, headers: { ...authAs(partner), 'content-type': 'application/json' }, payload: '{}' });
      assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
      assert.equal(body(response).status_code, 2000, `${method} ${url}: ${response.body}`);
      assert.ok(body(response).status_message?.includes(`${method} ${url}`), `${method} ${url}: named in ${body(response).status_message}`);
    }
    const anonymous = await app.inject({ method: 'POST', url: '/ocpi/2.2.1/emsp/Hw0', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(anonymous.statusCode, 401, anonymous.body);
  });
});

describe('HTTP server timeouts', () => {
  test('a request trickled in byte by byte is cut off soon after the request timeout', async () => {
    const app = Fastify({ ...httpServerTimeouts(500) });
    apps.push(app);
    app.put('/slow', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const started = Date.now();
    const { closedAfter, answer } = await new Promise<{ closedAfter: number; answer: string }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.write('PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
      const drip = setInterval(() => socket.write('{'), 100);
      const guard = setTimeout(() => socket.destroy(), 10_000);
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(guard);
        resolve({ closedAfter: Date.now() - started, answer: Buffer.concat(chunks).toString('latin1') });
      });
    });
    assert.ok(closedAfter >= 400 && closedAfter < 3_000, `closed after ${closedAfter} ms (request timeout 500 ms)`);
    assert.match(answer, /^HTTP\/1\.1 408/, `answered 408 before closing: ${answer.slice(0, 200)}`);
  });

  test('the timeouts are set on the listener: whole request, headers, idle socket, keep-alive', async () => {
    const app = Fastify({ ...httpServerTimeouts(5_000) });
    apps.push(app);
    await app.ready();
    assert.equal(app.server.requestTimeout, 5_000, 'requestTimeout');
    assert.equal(app.server.headersTimeout, 5_000, 'headersTimeout derived from it');
    assert.equal(app.server.timeout, 120_000, 'idle socket timeout');
    assert.equal(app.server.keepAliveTimeout, 72_000, 'keep-alive timeout');
  });
});
