import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { createLogger } from '@voltmesh/telemetry';
import { PartnerCallError, PartnerClient } from './partner-client.js';

/** A partner that misbehaves in the ways real partners do, one path each. */
function misbehavingPartner(): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, body: string) => response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    switch (request.url) {
      case '/ok':
        return send(200, JSON.stringify({ data: { echo: request.headers.authorization }, status_code: 1000, timestamp: '2026-01-01T00:00:00Z' }));
      case '/refused':
        return send(200, JSON.stringify({ status_code: 2001, status_message: 'missing field', timestamp: '2026-01-01T00:00:00Z' }));
      case '/html':
        return send(502, '<html>bad gateway</html>');
      case '/huge':
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 100; i += 1) response.write('x'.repeat(64 * 1024));
        return response.end();
      case '/slow':
        return setTimeout(() => send(200, '{}'), 2_000);
      case '/echo': {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        request.on('end', () => {
          const data = { method: request.method, headers: request.headers, body: body ? (JSON.parse(body) as unknown) : null };
          send(200, JSON.stringify({ data, status_code: 1000, timestamp: '2026-01-01T00:00:00Z' }));
        });
        return;
      }
      case '/throttled':
        response.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '7' }).end('slow down');
        return;
      case '/throttled-envelope':
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' });
        return response.end(JSON.stringify({ status_code: 2000, status_message: 'too many requests', timestamp: '2026-01-01T00:00:00Z' }));
      default:
        return send(404, '{}');
    }
  });
}

describe('PartnerClient', () => {
  const server = misbehavingPartner();
  let base = '';
  const client = new PartnerClient(500, createLogger('test', 'silent'));
  const get = (path: string, authMode: 'base64' | 'plain' = 'base64') =>
    client.call({ method: 'GET', url: `${base}${path}`, token: 'tok-1', authMode, data: z.object({ echo: z.string() }) });
  const failure = (kind: string) => (error: unknown) => error instanceof PartnerCallError && error.failure === kind;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('sends the token in the partner encoding and parses the data', async () => {
    assert.deepEqual((await get('/ok')).data, { echo: 'Token dG9rLTE=' });
    assert.deepEqual((await get('/ok', 'plain')).data, { echo: 'Token tok-1' });
  });

  test('returns non-1000 statuses for the caller to judge', async () => {
    const answer = await get('/refused');
    assert.equal(answer.statusCode, 2001);
    assert.equal(answer.statusMessage, 'missing field');
    assert.equal(answer.data, undefined);
  });

  test('sends PATCH with a body, our request id, the correlation id and routing headers', async () => {
    const answer = await client.call({
      method: 'PATCH',
      url: `${base}/echo`,
      token: 'tok-1',
      authMode: 'base64',
      body: { status: 'CHARGING' },
      data: z.object({ method: z.string(), headers: z.record(z.string(), z.unknown()), body: z.unknown() }),
      requestId: 'req-1',
      correlationId: 'corr-1',
      routing: { fromCountryCode: 'NL', fromPartyId: 'VLT', toCountryCode: 'DE', toPartyId: 'ABC' },
    });
    assert.equal(answer.requestId, 'req-1');
    assert.equal(answer.data?.method, 'PATCH');
    assert.deepEqual(answer.data?.body, { status: 'CHARGING' });
    const headers = answer.data?.headers ?? {};
    assert.equal(headers['x-request-id'], 'req-1');
    assert.equal(headers['x-correlation-id'], 'corr-1');
    assert.equal(headers['ocpi-from-country-code'], 'NL');
    assert.equal(headers['ocpi-from-party-id'], 'VLT');
    assert.equal(headers['ocpi-to-country-code'], 'DE');
    assert.equal(headers['ocpi-to-party-id'], 'ABC');
    assert.equal(headers['content-type'], 'application/json');
  });

  test('exposes the HTTP status and Retry-After of a refusal, thrown or enveloped', async () => {
    await assert.rejects(
      get('/throttled'),
      (error: unknown) => error instanceof PartnerCallError && error.failure === 'not-json' && error.httpStatus === 429 && error.retryAfter === '7',
    );
    const answer = await get('/throttled-envelope');
    assert.equal(answer.httpStatus, 429);
    assert.equal(answer.retryAfter, 'Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal((await get('/ok')).retryAfter, undefined);
  });

  test("a caller's abort is 'aborted', not a timeout", async () => {
    const controller = new AbortController();
    const call = client.call({ method: 'GET', url: `${base}/slow`, token: 't', authMode: 'base64', data: z.unknown(), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(call, failure('aborted'));
  });

  test('names each way a partner fails', async () => {
    await assert.rejects(get('/html'), failure('not-json'));
    // Reading the oversized body takes a while on a busy machine: give it more than /slow's 500 ms.
    await assert.rejects(client.call({ method: 'GET', url: `${base}/huge`, token: 't', authMode: 'base64', data: z.unknown(), timeoutMs: 10_000 }), failure('bad-envelope'));
    await assert.rejects(get('/slow'), failure('timeout'));
    await assert.rejects(get('/missing'), (error: unknown) => failure('http-status')(error) && (error as PartnerCallError).httpStatus === 404);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      client.call({ method: 'GET', url: `http://127.0.0.1:${port}/x`, token: 't', authMode: 'base64', data: z.unknown() }),
      (error: unknown) => error instanceof PartnerCallError && error.failure === 'unreachable' && /ECONNREFUSED/.test(error.message),
    );
  });
});
