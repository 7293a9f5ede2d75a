import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { createLogger } from '@voltmesh/telemetry';
import type { GatewayContext } from '../../application/context.js';
import { registerAdminRoutes } from './admin-routes.js';

const ADMIN_TOKEN = randomBytes(33).toString('base64url');
const logger = createLogger('admin-test', 'silent');

/** The admin API on a fake context that records every use: a refused request must reach none. */
async function adminApp() {
  const used: string[] = [];
  const record =
    (name: string, value: unknown = undefined) =>
    async () => {
      used.push(name);
      return value;
    };
  const store = { list: record('list', []), get: record('get'), insertPending: record('insertPending'), unregister: record('unregister'), outboundToken: record('outboundToken') };
  const context = { store, logger, partners: { call: record('partner call') }, events: { published: record('published') }, platform: { publicUrl: 'http://127.0.0.1:8080', parties: [], businessName: 'Voltmesh' }, tokens: { registrationTtlMs: 60_000, rotationGraceMs: 0 } } as unknown as GatewayContext;
  const routes: Array<{ method: string; url: string }> = [];
  const app = Fastify();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  registerAdminRoutes(app, context, ADMIN_TOKEN, logger, { requestSync: record('requestSync', { connectionId: 'x', modules: [], full: false }) as never, hubClientInfo: { list: record('hub list', []) as never } });
  await app.ready();
  return { app, routes, used };
}

describe('admin API: a bearer token on every route, compared in constant time; no default token', () => {
  test('every admin route (read from the app, not a list) refuses a missing, wrong, truncated, extended or differently-schemed token with 401 and does nothing', async () => {
    const { app, routes, used } = await adminApp();
    const guarded = routes.filter((route) => route.url !== '/healthz');
    assert.ok(guarded.length >= 7, `the admin routes were collected (${guarded.map((route) => `${route.method} ${route.url}`).join(', ')})`);
    const wrong = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
      `Bearer ${ADMIN_TOKEN}x`,
      `Bearer  ${ADMIN_TOKEN}`,
      `bearer ${ADMIN_TOKEN}`,
      `Token ${ADMIN_TOKEN}`,
      `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
      `Bearer ${ADMIN_TOKEN.toUpperCase()}`,
      ADMIN_TOKEN,
    ];
    for (const route of guarded) {
      const url = route.url.replace(/:(\w+)/g, 'some-$1');
      for (const authorization of wrong) {
        const answer = await app.inject({ method: route.method as 'GET', url, headers: authorization === undefined ? {} : { authorization }, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
        assert.equal(answer.statusCode, 401, `${route.method} ${route.url} with ${JSON.stringify(authorization?.slice(0, 12))}`);
      }
      const allowed = await app.inject({ method: route.method as 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      assert.notEqual(allowed.statusCode, 401, `${route.method} ${route.url} opens with the right token`);
    }
    const refusedUses = used.length;
    assert.ok(refusedUses <= guarded.length, 'only the requests with the right token reached the use cases');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, '/healthz needs no token');
  });

  test('the comparison takes the same path whatever the presented token: equal-length digests through timingSafeEqual (no early exit on length or prefix)', async () => {
    const { app } = await adminApp();
    // A token of any length (empty, one byte, 10 kB) is digested to 32 bytes: none throws, each is refused the same way.
    for (const presented of ['', 'x', ADMIN_TOKEN.slice(0, 16), 'y'.repeat(10_000)]) {
      const answer = await app.inject({ method: 'GET', url: '/admin/connections', headers: { authorization: `Bearer ${presented}` } });
      assert.equal(answer.statusCode, 401, `a ${presented.length}-character token is refused`);
      assert.deepEqual(answer.json(), { error: { code: 'UNAUTHENTICATED', message: 'admin bearer token required' } }, 'with the same answer');
    }
  });

  test('the gateway refuses to start without ADMIN_TOKEN, or with a short one (there is no default)', () => {
    const main = fileURLToPath(new URL('../../main.ts', import.meta.url));
    const base = { PATH: process.env['PATH'], HOME: process.env['HOME'], TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' };
    for (const [why, env] of [
      ['no ADMIN_TOKEN', base],
      ['a short ADMIN_TOKEN', { ...base, ADMIN_TOKEN: 'admin' }],
    ] as const) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', main], { env, encoding: 'utf8', timeout: 30_000 });
      assert.notEqual(run.status, 0, `${why}: the process exits with an error (${run.status})`);
      assert.match(`${run.stdout}${run.stderr}`, /ADMIN_TOKEN/, `${why}: and names the variable`);
    }
  });
});
