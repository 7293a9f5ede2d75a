import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createKafka, EventPublisher } from '@voltmesh/kafka';
import { connectMongo, type MongoHandle } from '@voltmesh/mongo';
import { ocpiErrorBody, ocpiSuccess, pageHeaders, paginationQuerySchema, parseAuthorizationHeader } from '@voltmesh/ocpi';
import { createLogger } from '@voltmesh/telemetry';
import { testInfra } from '@voltmesh/testing';
import { ConnectionStore } from '../../adapters/connection-store.js';
import { TokenCipher } from '../../adapters/token-cipher.js';
import { buildGateway } from '../../app.js';
import { loadGatewayConfig } from '../../config.js';
import type { Connection } from '../../domain/connection.js';
import { httpPageFetcher, PullStateStore, PullSync, pullSyncRequester, type PullContext } from './index.js';

const infra = testInfra();
const logger = createLogger('pull-sync-test', 'silent');
const PARTNER_TOKEN = 'token-we-present-to-the-cpo';
const OVERLAP_MS = 60_000;

interface PartnerLocation {
  country_code: string;
  party_id: string;
  id: string;
  last_updated: string;
  name: string;
}

/**
 * A partner CPO's locations Sender on a real port, paginated with our own pagination helpers
 * (Link, X-Total-Count, X-Limit 100), creation order, `date_from` inclusive.
 */
async function startPartnerCpo(count: number) {
  const locations: PartnerLocation[] = Array.from({ length: count }, (_, index) => ({
    country_code: 'DE',
    party_id: 'ABC',
    id: `LOC${String(index + 1).padStart(4, '0')}`,
    last_updated: new Date(Date.UTC(2025, 5, 1, 0, 0, index)).toISOString(),
    name: `Location ${index + 1}`,
  }));
  const requests: URLSearchParams[] = [];
  let failing = false;
  let delayMs = 0;
  const app: FastifyInstance = Fastify();
  const query = paginationQuerySchema(100);
  app.get('/ocpi/cpo/2.2.1/locations', async (request, reply) => {
    if (!parseAuthorizationHeader(request.headers.authorization).includes(PARTNER_TOKEN)) return reply.code(401).send(ocpiErrorBody(2001, 'unknown token'));
    const url = new URL(request.url, base);
    requests.push(url.searchParams);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (failing) return reply.code(503).send(ocpiErrorBody(3000, 'down for maintenance'));
    const page = query.parse(Object.fromEntries(url.searchParams));
    const matching = page.date_from ? locations.filter((location) => location.last_updated >= page.date_from!) : locations;
    const data = matching.slice(page.offset, page.offset + page.limit);
    const headers = pageHeaders({ requestUrl: url.href, offset: page.offset, limit: page.limit, returned: data.length, total: matching.length, maxLimit: 100 });
    return reply.headers(headers).send(ocpiSuccess(data));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    locationsUrl: `${base}/ocpi/cpo/2.2.1/locations`,
    locations,
    requests,
    setFailing: (value: boolean) => void (failing = value),
    setDelay: (ms: number) => void (delayMs = ms),
    close: () => app.close(),
  };
}

describe('pull sync against a real partner CPO and FerretDB', () => {
  let mongo: MongoHandle;
  let partner: Awaited<ReturnType<typeof startPartnerCpo>>;
  let connections: ConnectionStore;
  let state: PullStateStore;
  let connection: Connection;
  const sank: Array<{ context: PullContext; ids: string[] }> = [];
  const sink = async (context: PullContext, objects: unknown[]) => void sank.push({ context, ids: objects.map((object) => (object as PartnerLocation).id) });
  const fetchPage = httpPageFetcher({ timeoutMs: 2_000, logger });
  const newPullSync = (instanceId: string) =>
    new PullSync(
      { connections, state, fetchPage, sink, logger, instanceId },
      { pageLimit: 100, overlapMs: OVERLAP_MS, retryBaseMs: 60_000, ownParty: { countryCode: 'NL', partyId: 'VLM' } },
    );
  const sankIds = () => sank.flatMap((batch) => batch.ids);

  before(async () => {
    mongo = await connectMongo(infra.mongoUrl, infra.unique('pull_sync'));
    partner = await startPartnerCpo(250);
    connections = new ConnectionStore(mongo.db, new TokenCipher(randomBytes(32).toString('base64')));
    state = new PullStateStore(mongo.db);
    await connections.insertPending({ id: 'conn-cpo', initiator: 'US', authMode: 'base64', inboundToken: 'token-b', outboundToken: 'token-a' });
    const registered = await connections.register('conn-cpo', 'PENDING', 'token-b', {
      inboundToken: 'token-c-inbound',
      outboundToken: PARTNER_TOKEN,
      platform: {
        version: '2.2.1',
        authMode: 'base64',
        versionsUrl: 'http://127.0.0.1:9/ocpi/versions',
        roles: [{ role: 'CPO', countryCode: 'DE', partyId: 'ABC', businessName: 'Partner CPO' }],
        endpoints: [
          { module: 'locations', interfaceRole: 'SENDER', url: partner.locationsUrl },
          { module: 'tokens', interfaceRole: 'RECEIVER', url: 'http://127.0.0.1:9/tokens' },
        ],
      },
    });
    assert.ok(registered, 'registered');
    connection = registered;
  });

  after(async () => {
    await partner.close();
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  test('first run is a full crawl following Link; state is stored', async () => {
    const started = new Date();
    await newPullSync('dispatcher-1').runOnce();

    assert.equal(sankIds().length, 250);
    assert.equal(new Set(sankIds()).size, 250, 'every location once');
    assert.deepEqual(sank.map((batch) => batch.ids.length), [100, 100, 50], 'one sink call per page');
    assert.deepEqual(sank[0]!.context, { connectionId: connection.id, module: 'locations', party: { countryCode: 'DE', partyId: 'ABC' } });
    assert.deepEqual(partner.requests.map((params) => [params.get('offset'), params.get('date_from')]), [['0', null], ['100', null], ['200', null]]);

    const stored = await state.get(connection.id, 'locations');
    assert.ok(stored?.lastFullAt && stored.watermark && stored.lastSummary, 'stored?.lastFullAt && stored.watermark && stored.lastSummary');
    assert.equal(stored.lastSummary.mode, 'full');
    assert.equal(stored.lastSummary.objects, 250);
    assert.equal(stored.lastSummary.stoppedBecause, 'last-page');
    assert.ok(stored.watermark.getTime() >= started.getTime() - 2_000, 'watermark is the crawl start, not the newest last_updated (2025)');
    assert.ok(stored.nextRunAt.getTime() > Date.now() + 30 * 60_000, 'next incremental run in about an hour');
    assert.equal(stored.leaseOwner, undefined);
    assert.equal(await state.get(connection.id, 'tokens'), undefined, 'only Sender endpoints of pulled modules');

    partner.requests.length = 0;
    sank.length = 0;
    await newPullSync('dispatcher-1').runOnce();
    assert.equal(partner.requests.length, 0, 'nothing due before the interval');
  });

  test('admin API asks for a sync (202, 404, 503); a new PullSync instance runs it incrementally from the stored watermark', async () => {
    const config = loadGatewayConfig({ ADMIN_TOKEN: 'a'.repeat(40), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    const publisher = new EventPublisher(createKafka({ brokers: infra.kafkaBrokers, clientId: 'pull-sync-test' }, logger), 'test');
    const gateway = buildGateway({ config, db: mongo.db, publisher, logger, requestSync: pullSyncRequester({ connections, state }) });
    const withoutPort = buildGateway({ config, db: mongo.db, publisher, logger });
    const auth = { authorization: `Bearer ${'a'.repeat(40)}` };
    try {
      const accepted = await gateway.admin.inject({ method: 'POST', url: `/admin/connections/${connection.id}/sync`, headers: auth });
      assert.equal(accepted.statusCode, 202);
      assert.deepEqual(accepted.json(), { connection_id: connection.id, modules: ['locations'], full: false, status: 'requested' });

      const unknown = await gateway.admin.inject({ method: 'POST', url: '/admin/connections/nope/sync', headers: auth, payload: { full: true } });
      assert.equal(unknown.statusCode, 404);
      const unauthenticated = await gateway.admin.inject({ method: 'POST', url: `/admin/connections/${connection.id}/sync` });
      assert.equal(unauthenticated.statusCode, 401);
      const absent = await withoutPort.admin.inject({ method: 'POST', url: `/admin/connections/${connection.id}/sync`, headers: auth });
      assert.equal(absent.statusCode, 503);
    } finally {
      await Promise.all([gateway.admin.close(), gateway.ocpi.close(), withoutPort.admin.close(), withoutPort.ocpi.close()]);
    }

    const before = await state.get(connection.id, 'locations');
    assert.ok(before?.requestedAt && before.watermark, 'before?.requestedAt && before.watermark');
    // The partner changes two locations after our full crawl.
    const changedAt = new Date().toISOString();
    partner.locations[4]!.last_updated = changedAt;
    partner.locations[199]!.last_updated = changedAt;
    partner.requests.length = 0;
    sank.length = 0;

    await newPullSync('dispatcher-2').runOnce();

    assert.deepEqual(sankIds(), ['LOC0005', 'LOC0200']);
    assert.equal(partner.requests.length, 1);
    const dateFrom = partner.requests[0]!.get('date_from');
    assert.equal(dateFrom, `${new Date(before.watermark.getTime() - OVERLAP_MS).toISOString().slice(0, 19)}Z`);
    const stored = await state.get(connection.id, 'locations');
    assert.equal(stored?.lastSummary?.mode, 'incremental');
    assert.equal(stored?.requestedAt, undefined, 'the request was served');
    assert.equal(stored?.lastFullAt?.getTime(), before.lastFullAt?.getTime(), 'no full crawl');
  });

  test('a requested full sync crawls everything again; two instances polling at once crawl it once', async () => {
    const request = await pullSyncRequester({ connections, state })(connection.id, { full: true });
    assert.deepEqual(request, { connectionId: connection.id, modules: ['locations'], full: true });
    partner.requests.length = 0;
    sank.length = 0;
    partner.setDelay(50);
    try {
      await Promise.all([newPullSync('dispatcher-a').runOnce(), newPullSync('dispatcher-b').runOnce()]);
    } finally {
      partner.setDelay(0);
    }
    assert.equal(partner.requests.length, 3, 'one crawl of three pages, not two');
    assert.ok(partner.requests.every((params) => params.get('date_from') === null), 'full: no date_from');
    assert.equal(sankIds().length, 250);
    const stored = await state.get(connection.id, 'locations');
    assert.equal(stored?.lastSummary?.mode, 'full');
    assert.equal(stored?.fullRequestedAt, undefined);
  });

  test('the lease: one winner at a time, a lost lease cannot be renewed or recorded, an expired one is taken over', async () => {
    const now = new Date();
    const contenders = ['x', 'y', 'z', 'w', 'v', 'u'];
    const won = await Promise.all(contenders.map((owner) => state.acquire(connection.id, 'locations', owner, now, 1_000)));
    assert.equal(won.filter(Boolean).length, 1, 'exactly one of six racing instances holds the lease');
    const winner = contenders[won.findIndex(Boolean)]!;
    const loser = contenders.find((owner) => owner !== winner)!;
    assert.equal((await state.get(connection.id, 'locations'))?.leaseOwner, winner);
    assert.equal(await state.renew(connection.id, 'locations', loser, now, 1_000), false);
    const later = new Date(now.getTime() + 2_000);
    assert.ok(await state.acquire(connection.id, 'locations', loser, later, 1_000), 'expired lease taken over');
    assert.equal(await state.renew(connection.id, 'locations', winner, later, 1_000), false, 'the old holder learns it lost the lease');
    assert.equal(await state.failed(connection.id, 'locations', winner, { at: later, startedAt: now, message: 'late', nextRunAt: later }), false);
    await state.release(connection.id, 'locations', loser, later);
    assert.equal((await state.get(connection.id, 'locations'))?.leaseOwner, undefined);
  });

  test('started, a PullSync runs a requested sync at once and stops cleanly', async () => {
    const sync = newPullSync('dispatcher-started');
    sank.length = 0;
    sync.start();
    try {
      await sync.requestSync(connection.id);
      const deadline = Date.now() + 5_000;
      while (sank.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(sank.length > 0, 'the request did not wait for the poll interval');
    } finally {
      await sync.stop();
    }
    assert.equal((await state.get(connection.id, 'locations'))?.leaseOwner, undefined);
  });

  test('a failing partner is recorded with backoff and keeps its watermark', async () => {
    const before = await state.get(connection.id, 'locations');
    await state.request(connection.id, 'locations', false, new Date());
    partner.setFailing(true);
    try {
      await newPullSync('dispatcher-3').runOnce();
    } finally {
      partner.setFailing(false);
    }
    const stored = await state.get(connection.id, 'locations');
    assert.equal(stored?.failures, 1);
    assert.match(stored?.lastError?.message ?? '', /HTTP 503, OCPI status 3000: down for maintenance/);
    assert.equal(stored?.watermark?.getTime(), before?.watermark?.getTime());
    assert.ok((stored?.nextRunAt.getTime() ?? 0) >= Date.now() + 50_000, 'retry after the backoff, not at once');
    assert.equal(stored?.requestedAt, undefined);
  });
});
