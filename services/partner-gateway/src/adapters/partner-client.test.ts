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

  test('names each way a partner fails', async () => {
    await assert.rejects(get('/html'), failure('not-json'));
    await assert.rejects(get('/huge'), failure('bad-envelope'));
    await assert.rejects(get('/slow'), failure('timeout'));
    await assert.rejects(get('/missing'), failure('http-status'));
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
