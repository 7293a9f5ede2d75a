import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { createLogger } from '@voltmesh/telemetry';
import { httpPageFetcher } from '../dispatcher/pull/http-page-fetcher.js';
import { partnerFetch, type ResolveHost } from './guarded-fetch.js';
import { PartnerCallError, PartnerClient } from './partner-client.js';
import { refusedPartnerUrl } from './url-guard.js';

const logger = createLogger('guarded-fetch-test', 'silent');
const envelope = JSON.stringify({ data: [], status_code: 1000, timestamp: '2026-01-01T00:00:00Z' });

/**
 * A partner-looking server on loopback: what it answers per path, and every request it got (a
 * refused call must never reach it).
 */
function startServer(): Promise<{ url: string; port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(request.url ?? '');
    const path = request.url ?? '';
    if (path.startsWith('/slow-headers')) {
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(envelope), 2_000).unref();
    } else if (path.startsWith('/slow-body')) {
      // Headers at once, then a trickle that never ends within the deadline.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data": [');
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    } else if (path.startsWith('/huge')) {
      // No Content-Length: the cap must hold while streaming.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"data": "${'x'.repeat(64 * 1024)}", "status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}`);
    } else if (path.startsWith('/redirect')) {
      response.writeHead(302, { location: '/ok' }).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(envelope);
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        hits,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

const answers = (addresses: string[]): ResolveHost => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const call = (client: PartnerClient, url: string) => client.call({ method: 'GET', url, token: 'secret', authMode: 'base64', data: z.unknown() });

describe('calls to partner-supplied URLs: no private or loopback address unless allowed (checked where the socket connects), a deadline and a size cap', () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await server?.close();
  });

  test('an IP literal or a host name on loopback or a private range is refused before anything is sent', async () => {
    const guarded = new PartnerClient(2_000, logger, partnerFetch({ allowPrivate: false }));
    const before = server.hits.length;
    for (const url of [`${server.url}/ok`, `http://[::1]:${server.port}/ok`, `http://localhost:${server.port}/ok`]) {
      const error = await call(guarded, url).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      assert.ok(error instanceof PartnerCallError, `${url}: a PartnerCallError`);
      assert.equal(error.failure, 'unreachable', `${url}: treated as an unreachable partner`);
      assert.match(error.message, /private or loopback address/, `${url}: the message says why: ${error.message}`);
    }
    const named = new PartnerClient(2_000, logger, partnerFetch({ allowPrivate: false, resolve: answers(['10.1.2.3']) }));
    await assert.rejects(call(named, `http://partner.example:${server.port}/ok`), /partner\.example: it resolves to 10\.1\.2\.3/);
    assert.equal(server.hits.length, before, 'the server never got a request');
  });

  test('DNS rebinding: a host that passed the check when it was queued and points at loopback when we connect is refused at connect time', async () => {
    let lookups = 0;
    // The first answer (the queue-time check) is public, every later one is our own loopback.
    const rebinding: ResolveHost = async () => (lookups++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const resolveForCheck = async (host: string) => (await rebinding(host)).map((entry) => entry.address);
    assert.equal(await refusedPartnerUrl(`http://rebind.example:${server.port}/result`, false, resolveForCheck), undefined, 'the queue-time check passes');
    const before = server.hits.length;
    const client = new PartnerClient(2_000, logger, partnerFetch({ allowPrivate: false, resolve: rebinding }));
    await assert.rejects(call(client, `http://rebind.example:${server.port}/result`), /rebind\.example: it resolves to 127\.0\.0\.1/);
    const pages = httpPageFetcher({ timeoutMs: 2_000, logger, fetch: partnerFetch({ allowPrivate: false, resolve: rebinding }) });
    await assert.rejects(pages({ url: `http://rebind.example:${server.port}/page`, token: 'secret', authMode: 'base64' }), /private or loopback/);
    assert.equal(server.hits.length, before, 'nothing reached the private address');
  });

  test('allowed by configuration (ALLOW_PRIVATE_PARTNER_URLS), the same calls go through; redirects are never followed', async () => {
    const open = new PartnerClient(2_000, logger, partnerFetch({ allowPrivate: true }));
    assert.equal((await call(open, `${server.url}/ok`)).statusCode, 1000);
    const pages = httpPageFetcher({ timeoutMs: 2_000, logger, fetch: partnerFetch({ allowPrivate: true }) });
    assert.deepEqual((await pages({ url: `${server.url}/page`, token: 'secret', authMode: 'base64' })).objects, []);
    await assert.rejects(call(open, `${server.url}/redirect`), (error: unknown) => error instanceof PartnerCallError && error.failure === 'unreachable', 'a redirect is an error: the token must not follow it');
  });

  test('time box: a partner slow to answer, or to finish its body, is cut off at the deadline', async () => {
    const client = new PartnerClient(300, logger, partnerFetch({ allowPrivate: true }));
    const started = Date.now();
    await assert.rejects(call(client, `${server.url}/slow-headers`), (error: unknown) => error instanceof PartnerCallError && error.failure === 'timeout');
    await assert.rejects(call(client, `${server.url}/slow-body`), (error: unknown) => error instanceof PartnerCallError && error.failure === 'timeout');
    const pages = httpPageFetcher({ timeoutMs: 300, logger, fetch: partnerFetch({ allowPrivate: true }) });
    await assert.rejects(pages({ url: `${server.url}/slow-body`, token: 'secret', authMode: 'base64' }), (error: unknown) => error instanceof PartnerCallError && error.failure === 'timeout');
    assert.ok(Date.now() - started < 2_000, `three calls cut off at 300 ms each (${Date.now() - started} ms)`);
  });

  test('size cap: an answer larger than the cap is refused while it streams', async () => {
    const client = new PartnerClient(2_000, logger, partnerFetch({ allowPrivate: true }), 16 * 1024);
    await assert.rejects(call(client, `${server.url}/huge`), /answered more than 16384 bytes/);
    const pages = httpPageFetcher({ timeoutMs: 2_000, maxBytes: 16 * 1024, logger, fetch: partnerFetch({ allowPrivate: true }) });
    await assert.rejects(pages({ url: `${server.url}/huge`, token: 'secret', authMode: 'base64' }), /answered more than 16384 bytes/);
  });
});
