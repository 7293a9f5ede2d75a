/**
 * Limits of the partner API, registered inside openapi-fuzz.test.ts on its mesh (one mesh
 * start less in `make test`): bodies over BODY_LIMIT_BYTES (announced and
 * chunked), deep nesting, huge arrays, invalid UTF-8, wrong content types (text/plain too), missing and
 * duplicated headers, a malformed %-escape in the path, a module we do not serve, a client
 * trickling its body. Each is answered by a clear OCPI error (never a 5xx) or, below HTTP, a
 * clean 400, and the gateway still serves the next request.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { aLocation } from '@voltmesh/testing';
import { assertEnvelope, send, type Request } from './harness.js';

/** The REQUEST_TIMEOUT_MS the fuzzing mesh runs with (a slow client is cut off after it). */
export const REQUEST_TIMEOUT_MS = 5_000;

/** The BODY_LIMIT_BYTES the fuzzing mesh runs with. */
export const BODY_LIMIT = 131_072;

/** What the limit tests need of the running mesh: its base URL and a registered partner CPO BE*BEC's Authorization header. */
export interface LimitsTarget {
  base: string;
  authorization: string;
}

/** Writes raw bytes on a fresh connection and answers what came back until the server closed it or `ms` passed. */
function raw(port: number, bytes: Buffer | string, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that answered and closed while we were still sending resets the connection: what it said counts.
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    // Written, not ended: `Connection: close` ends it from the server's side once it answered.
    socket.write(bytes);
  });
}

/** Registers the limit tests; `target()` is read when they run (after the mesh's `before`). */
export function describeLimits(target: () => LimitsTarget): void {
  describe('limits of the partner API', () => {
    let base = '';
    let port = 0;
    let authorization = '';
    let n = 0;
    const put = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }): Request => {
      ({ base, authorization } = target());
      port = Number(new URL(base).port);
      return { method: 'PUT', url: `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/LIMIT${++n}`, headers: { authorization, ...headers }, body };
    };
    const valid = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ...aLocation({ country_code: 'BE', party_id: 'BEC', id, last_updated: new Date().toISOString() }), ...extra });
    /** The gateway is alive: a valid PUT is accepted. */
    const stillServes = async () => {
      const request = put('');
      request.body = valid(request.url.split('/').at(-1)!);
      assert.equal(assertEnvelope(await send(request), request).status_code, 1000, 'the gateway serves a valid request afterwards');
    };

    test('a body over BODY_LIMIT_BYTES: HTTP 413 with 2001, announced or chunked; one at the limit is read', async () => {
      const request = put('');
      const id = request.url.split('/').at(-1)!;
      const padding = (size: number) => {
        const base = valid(id, { name: '' });
        return valid(id, { name: '', directions: [{ language: 'en', text: 'x'.repeat(Math.max(0, size - base.length - 40)) }] });
      };
      request.body = padding(BODY_LIMIT + 1024);
      const over = await send(request);
      assert.equal(over.status, 413, `over the limit: ${over.text}`);
      const envelope = assertEnvelope(over, request);
      assert.equal(envelope.status_code, 2001, 'a client error');
      assert.match(envelope.status_message ?? '', /too large/, 'the message says why');

      // Chunked: no Content-Length to refuse up front, the stream is cut at the limit.
      const chunked = await raw(port, `PUT /ocpi/2.2.1/emsp/locations/BE/BEC/${id}C HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(BODY_LIMIT * 2).toString(16)}\r\n${'x'.repeat(BODY_LIMIT * 2)}\r\n0\r\n\r\n`);
      assert.match(chunked, /^HTTP\/1\.1 413/, `chunked over the limit: ${chunked.slice(0, 200)}`);
      assert.match(chunked, /"status_code":2001/, `chunked over the limit, an OCPI envelope: ${chunked.slice(0, 400)}`);

      // A Content-Length that lies (says small, sends more) is not read past what it announced.
      const lying = await raw(port, `PUT /ocpi/2.2.1/emsp/locations/BE/BEC/${id}L HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}${'x'.repeat(BODY_LIMIT * 2)}`);
      assert.match(lying, /^HTTP\/1\.1 [24]\d\d/, `a lying Content-Length: ${lying.slice(0, 200)}`);
      assert.doesNotMatch(lying, /HTTP\/1\.1 5\d\d/, `no 5xx for the bytes after the announced body: ${lying.slice(0, 400)}`);

      const atLimit = put('');
      atLimit.body = padding(BODY_LIMIT - 512);
      assert.ok(Buffer.byteLength(atLimit.body) <= BODY_LIMIT, 'the body is within the limit');
      assertEnvelope(await send(atLimit), atLimit);
      await stillServes();
    });

    test('deep nesting and huge arrays within the size limit: 2001, no 5xx, still serving', async () => {
      for (const depth of [1_000, 20_000, 60_000]) {
        const request = put(`{"country_code":"BE","party_id":"BEC","id":"X","evses":${'['.repeat(depth)}${']'.repeat(depth)}}`);
        assert.ok(Buffer.byteLength(request.body!) <= BODY_LIMIT, `depth ${depth} fits the limit`);
        const envelope = assertEnvelope(await send(request), request);
        assert.equal(envelope.status_code, 2001, `nesting ${depth} deep refused: ${JSON.stringify(envelope)}`);
      }
      const objects = put(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`);
      assert.equal(assertEnvelope(await send(objects), objects).status_code, 2001, 'nested objects refused');
      const numbers = put(`{"evses":[${Array.from({ length: 60_000 }, () => '0').join(',')}]}`);
      assert.equal(assertEnvelope(await send(numbers), numbers).status_code, 2001, 'a huge array of numbers refused');
      const evses = JSON.parse(valid('HUGE')) as { evses: unknown[] };
      const many = put('');
      many.body = JSON.stringify({ ...evses, id: many.url.split('/').at(-1), evses: Array.from({ length: 2_000 }, () => 1) });
      assert.equal(assertEnvelope(await send(many), many).status_code, 2001, '2,000 EVSEs that are not objects refused');
      await stillServes();
    });

    test('invalid UTF-8 and bodies that are not JSON: 2001 with HTTP 400, nothing else breaks', async () => {
      const request = put('');
      const id = request.url.split('/').at(-1)!;
      for (const bytes of [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from('{"id": "\u0000"'), Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Buffer.from('\u0000'.repeat(64))]) {
        const broken = put(bytes);
        const envelope = assertEnvelope(await send(broken), broken);
        assert.equal(envelope.status_code, 2001, `${bytes.toString('hex').slice(0, 32)} refused: ${JSON.stringify(envelope)}`);
      }
      // Invalid UTF-8 inside a JSON string of an otherwise valid object.
      const text = valid(id, { name: 'NAME_HERE' });
      const [before, after] = text.split('NAME_HERE') as [string, string];
      request.body = Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(after)]);
      const envelope = assertEnvelope(await send(request), request);
      assert.ok([1000, 2001].includes(envelope.status_code), `invalid UTF-8 in a string: ${JSON.stringify(envelope)}`);
      await stillServes();
    });

    test('wrong content types (text/plain too): HTTP 415 with 2001; a missing one with a body too', async () => {
      for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', 'image/png']) {
        const request = put(valid('CT'), { 'content-type': type });
        const answer = await send(request);
        const envelope = assertEnvelope(answer, request);
        assert.equal(answer.status, 415, `${type}: HTTP ${answer.status} ${answer.text}`);
        assert.equal(envelope.status_code, 2001, `${type}: a client error`);
      }
      const untyped = await raw(port, `PUT /ocpi/2.2.1/emsp/locations/BE/BEC/UNTYPED HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      assert.match(untyped, /^HTTP\/1\.1 4\d\d/, `no Content-Type: ${untyped.slice(0, 200)}`);
      assert.match(untyped, /"status_code":2001/, `no Content-Type, an OCPI envelope: ${untyped.slice(0, 400)}`);
      const charset = put(valid(`CS${n}`), { 'content-type': 'application/json; charset=utf-8' });
      charset.body = valid(charset.url.split('/').at(-1)!);
      assert.equal(assertEnvelope(await send(charset), charset).status_code, 1000, 'application/json with a charset is JSON');
    });

    test('missing and duplicated headers: 401 without a token, no 5xx with doubled ones', async () => {
      put('');
      const anonymous: Request = { method: 'GET', url: `${base}/ocpi/2.2.1/cpo/locations`, headers: {} };
      const answer = await send(anonymous);
      assert.equal(answer.status, 401, `no Authorization: ${answer.text}`);
      assert.equal(assertEnvelope(answer, anonymous).status_code, 2000, 'no Authorization: a client error');
      for (const junk of ['Token', 'Token ', 'Bearer x', 'Token %%%', `Token ${'A'.repeat(8_000)}`, 'Basic dXNlcjpwYXNz']) {
        const request: Request = { method: 'GET', url: `${base}/ocpi/2.2.1/cpo/locations`, headers: { authorization: junk } };
        const refused = await send(request);
        assert.equal(refused.status, 401, `Authorization ${junk.slice(0, 20)}: ${refused.text}`);
        assertEnvelope(refused, request);
      }
      const doubled = (name: string, first: string, second: string) =>
        raw(port, `GET /ocpi/2.2.1/emsp/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n${name}: ${first}\r\n${name}: ${second}\r\nConnection: close\r\n\r\n`);
      for (const [name, first, second] of [
        ['Authorization', authorization, 'Token bm9wZQ=='],
        ['OCPI-from-country-code', 'BE', 'NL'],
        ['OCPI-to-party-id', 'VLM', 'VLT'],
        ['X-Request-ID', 'a', 'b'],
        ['X-Correlation-ID', 'a', 'b'],
        ['Content-Type', 'application/json', 'text/plain'],
        ['Host', 'a', 'b'],
      ] as const) {
        const text = await doubled(name, first, second);
        assert.match(text, /^HTTP\/1\.1 [1-4]\d\d/, `doubled ${name}: ${text.slice(0, 300)}`);
        const body = text.slice(text.indexOf('\r\n\r\n') + 4);
        if (!/^HTTP\/1\.1 400/.test(text) || body.includes('status_code')) assert.match(body, /"status_code":\d{4}/, `doubled ${name}: an OCPI envelope: ${text.slice(0, 400)}`);
      }
      // Content-Length together with Transfer-Encoding (request smuggling) is refused below HTTP.
      const smuggled = await raw(port, `PUT /ocpi/2.2.1/emsp/locations/BE/BEC/SMUGGLE HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /ocpi/versions HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.match(smuggled, /^HTTP\/1\.1 400/, `Content-Length with Transfer-Encoding: ${smuggled.slice(0, 200)}`);
      assert.equal(smuggled.match(/HTTP\/1\.1 /g)?.length, 1, 'the smuggled request is not answered');
      await stillServes();
    });

    // Found by openapi-fuzz.test.ts (pathSegment '%FF', FUZZ_SEED=42, route GET /2.2.1/emsp/locations/{cc}/{pid}/{location_id}).
    test('a malformed %-escape in the path: HTTP 400, 2001 naming the path, in the envelope', async () => {
      ({ base, authorization } = target());
      for (const path of ['/ocpi/2.2.1/emsp/locations/BE/BEC/%FF', '/ocpi/2.2.1/cpo/locations/%E0%A4%A', '/ocpi/2.2.1/emsp/tariffs/BE/BEC/%C3%28']) {
        const request: Request = { method: 'GET', url: `${base}${path}`, headers: { authorization } };
        const answer = await send(request);
        assert.equal(answer.status, 400, `${path}: HTTP ${answer.status}`);
        const envelope = assertEnvelope(answer, request);
        assert.equal(envelope.status_code, 2001, `${path}: a client error in the envelope: ${answer.text}`);
        assert.ok(envelope.status_message?.includes(path), `${path}: the message names the path: ${answer.text}`);
        assert.ok(answer.headers.get('x-request-id'), `${path}: X-Request-ID on the answer`);
      }
    });

    // Found by openapi-fuzz.test.ts (FUZZ_SEED=12345, path segment '..' resolved by the URL parser): an unknown module was HTTP 501.
    test('a module we do not serve is a client fault: HTTP 404 with 2000 naming the path, not 501', async () => {
      ({ base, authorization } = target());
      const request: Request = { method: 'POST', url: `${base}/ocpi/2.2.1/emsp/Hw0`, headers: { authorization, 'content-type': 'application/json' }, body: '{}' };
      const answer = await send(request);
      assert.equal(answer.status, 404, `HTTP ${answer.status}: ${answer.text}`);
      const envelope = assertEnvelope(answer, request);
      assert.equal(envelope.status_code, 2000, `a generic client error: ${answer.text}`);
      assert.ok(envelope.status_message?.includes('POST /ocpi/2.2.1/emsp/Hw0'), `the message names the path: ${answer.text}`);
    });

    test('text/plain is HTTP 415 with 2001 like every other non-JSON content type, and nothing is stored', async () => {
      ({ base, authorization } = target());
      const request: Request = { method: 'PUT', url: `${base}/ocpi/2.2.1/emsp/locations/BE/BEC/TXT`, headers: { authorization, 'content-type': 'text/plain' }, body: '{"id":"TXT"}' };
      const answer = await send(request);
      assert.equal(answer.status, 415, `text/plain: HTTP ${answer.status} ${answer.text}`);
      const envelope = assertEnvelope(answer, request);
      assert.equal(envelope.status_code, 2001, `text/plain: a client error: ${answer.text}`);
      assert.match(envelope.status_message ?? '', /Content-Type/, `the message names Content-Type: ${answer.text}`);
      const readBack: Request = { method: 'GET', url: request.url, headers: { authorization } };
      assert.notEqual(assertEnvelope(await send(readBack), readBack).status_code, 1000, 'the refused location is not stored');
    });

    test('slowloris: a body trickled byte by byte is cut off within REQUEST_TIMEOUT_MS (+ the check interval)', async () => {
      ({ base, authorization } = target());
      const port = Number(new URL(base).port);
      const started = Date.now();
      const { closedAfter, answer } = await new Promise<{ closedAfter: number; answer: string }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.write(`PUT /ocpi/2.2.1/emsp/locations/BE/BEC/SLOW HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
        const drip = setInterval(() => socket.write('{'), 500);
        const guard = setTimeout(() => socket.destroy(), 60_000);
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(drip);
          clearTimeout(guard);
          resolve({ closedAfter: Date.now() - started, answer: Buffer.concat(chunks).toString('latin1') });
        });
      });
      console.log(`slowloris: the gateway closed the trickling connection after ${closedAfter} ms`);
      assert.ok(closedAfter >= REQUEST_TIMEOUT_MS - 500, `not cut off before REQUEST_TIMEOUT_MS: ${closedAfter} ms`);
      assert.ok(closedAfter < 20_000, `a trickled body is cut off within 20 s, not after ${closedAfter} ms`);
      assert.match(answer, /^HTTP\/1\.1 408/, `answered 408 before closing: ${answer.slice(0, 200)}`);
      // The gateway still serves the next request.
      const next: Request = { method: 'GET', url: `${base}/ocpi/2.2.1/cpo/locations`, headers: { authorization } };
      assert.equal(assertEnvelope(await send(next), next).status_code, 1000, 'still serving after the slow client');
    });
  });
}
