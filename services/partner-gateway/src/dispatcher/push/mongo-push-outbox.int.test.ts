import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { connectMongo, type MongoHandle } from '@voltmesh/mongo';
import { startTelemetry } from '@voltmesh/telemetry';
import { testInfra } from '@voltmesh/testing';
import { MongoPushOutbox } from './mongo-push-outbox.js';
import type { PushJob } from './push-job.js';

const infra = testInfra();

const aPushJob = (overrides: Partial<PushJob> = {}): PushJob => ({
  partnerId: 'partner-1',
  objectKey: 'locations:NL*VLT*LOC1',
  version: 'v1',
  method: 'PUT',
  url: 'http://partner.test/ocpi/2.2.1/locations/NL/VLT/LOC1',
  body: { id: 'LOC1', name: 'Station "1"', coordinates: { latitude: '52.1', longitude: '4.3' } },
  routing: { from: { countryCode: 'NL', partyId: 'VLT' }, to: { countryCode: 'DE', partyId: 'ABC' } },
  correlationId: 'corr-1',
  ...overrides,
});

describe('MongoPushOutbox against a real FerretDB', () => {
  let mongo: MongoHandle;
  let outbox: MongoPushOutbox;
  const now = () => new Date();
  const lease = () => new Date(Date.now() + 60_000);

  before(async () => {
    mongo = await connectMongo(infra.mongoUrl, infra.unique('push_outbox_test'));
    outbox = new MongoPushOutbox(mongo.db);
    await outbox.ensureIndexes();
  });
  after(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  test('keeps only the newest state of an object; older or equal versions are stale', async () => {
    const objectKey = 'locations:NL*VLT*COALESCE';
    assert.equal(await outbox.enqueue(aPushJob({ objectKey, version: 'v2' }), now()), 'queued');
    assert.equal(await outbox.enqueue(aPushJob({ objectKey, version: 'v1' }), now()), 'stale');
    assert.equal(await outbox.enqueue(aPushJob({ objectKey, version: 'v2' }), now()), 'stale');
    assert.equal(await outbox.enqueue(aPushJob({ objectKey, version: 'v3', body: { id: 'newest' } }), now()), 'queued');
    const claim = await outbox.claim('partner-1', objectKey, now(), lease(), 'lease-a');
    assert.equal(claim?.job.version, 'v3');
    assert.deepEqual(claim?.job.body, { id: 'newest' });
    assert.equal(claim?.attempts, 1);
    assert.equal(await outbox.settle(claim, { kind: 'delivered', requestId: 'r1', httpStatus: 200, statusCode: 1000 }, now()), 'settled');
    // Delivered states guard too: a late v2 never goes out after v3.
    assert.equal(await outbox.enqueue(aPushJob({ objectKey, version: 'v2' }), now()), 'stale');
    const record = await outbox.get('partner-1', objectKey);
    assert.equal(record?.pending, undefined);
    assert.equal(record?.delivered?.version, 'v3');
    assert.equal(record?.delivered?.requestId, 'r1');
  });

  test('racing first enqueues of one object (duplicate key on upsert) end with the newest pending', async () => {
    const versions = Array.from({ length: 12 }, (_, i) => `v${String(i).padStart(2, '0')}`);
    for (let round = 0; round < 5; round += 1) {
      const objectKey = `locations:NL*VLT*RACE${round}`;
      // Oldest first: the newer versions tend to lose the insert race and must win on the retry.
      const results = await Promise.all(versions.map((version) => outbox.enqueue(aPushJob({ objectKey, version, partnerId: 'partner-race' }), now())));
      assert.ok(results.includes('queued'), 'results.includes("queued")');
      const record = await outbox.get('partner-race', objectKey);
      assert.equal(record?.pending?.version, 'v11', `round ${round}: ${results.join(',')}`);
      assert.equal(record?.maxVersion, 'v11');
    }
    assert.equal((await outbox.backlog()).find((entry) => entry.partnerId === 'partner-race')?.pending, 5);
  });

  test('the backlog tells how long the oldest undelivered object waited: a newer state keeps its age, delivery clears it', async () => {
    const partnerId = 'partner-age';
    const first = new Date(Date.now() - 120_000);
    await outbox.enqueue(aPushJob({ partnerId, objectKey: 'locations:NL*VLT*AGE1', version: 'v1' }), first);
    await outbox.enqueue(aPushJob({ partnerId, objectKey: 'locations:NL*VLT*AGE1', version: 'v2' }), new Date(Date.now() - 10_000));
    await outbox.enqueue(aPushJob({ partnerId, objectKey: 'locations:NL*VLT*AGE2', version: 'v1' }), new Date(Date.now() - 60_000));
    const before = (await outbox.backlog()).find((entry) => entry.partnerId === partnerId);
    assert.equal(before?.pending, 2);
    assert.equal(before?.oldestSince?.getTime(), first.getTime(), 'replacing a pending state does not make the object look young');

    const claim = await outbox.claim(partnerId, 'locations:NL*VLT*AGE1', now(), lease(), 'lease-age');
    assert.ok(claim, 'claimed');
    await outbox.settle(claim, { kind: 'delivered', requestId: 'r-age', httpStatus: 200, statusCode: 1000 }, now());
    const after = (await outbox.backlog()).find((entry) => entry.partnerId === partnerId);
    assert.equal(after?.pending, 1);
    assert.ok(after?.oldestSince && after.oldestSince.getTime() > first.getTime(), 'the delivered object no longer counts');
  });

  test('a job keeps the trace context it was enqueued in, so its delivery continues that trace', async (t) => {
    // The W3C propagator is installed by the SDK, as in every mesh process.
    const telemetry = startTelemetry({ OTEL_TRACES_EXPORTER: 'none' });
    t.after(() => telemetry.shutdown());
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
    await context.with(parent, () => outbox.enqueue(aPushJob({ partnerId: 'partner-trace', version: 'v1' }), now()));
    const claim = await outbox.claim('partner-trace', aPushJob().objectKey, now(), lease(), 'lease-trace');
    assert.equal(claim?.job.trace?.['traceparent']?.split('-')[1], '0af7651916cd43dd8448eb211c80319c');
  });

  test('a state enqueued while its predecessor is in flight survives the acknowledgement (compare-and-set)', async () => {
    const partnerId = 'partner-cas';
    const key = aPushJob().objectKey;
    await outbox.enqueue(aPushJob({ partnerId, version: 'v1' }), now());
    const first = await outbox.claim(partnerId, key, now(), lease(), 'lease-1');
    assert.equal(first?.job.version, 'v1');
    assert.equal(await outbox.claim(partnerId, key, now(), lease(), 'lease-2'), undefined, 'an object in flight is not claimed twice');
    assert.equal(await outbox.enqueue(aPushJob({ partnerId, version: 'v2' }), now()), 'queued');
    assert.equal(await outbox.claim(partnerId, key, now(), lease(), 'lease-2'), undefined, 'nor is its newer state, until the call ends');
    assert.equal(await outbox.settle(first, { kind: 'delivered', requestId: 'r1', httpStatus: 200 }, now()), 'newer-pending');
    const record = await outbox.get(partnerId, key);
    assert.equal(record?.delivered?.version, 'v1');
    assert.equal(record?.pending?.version, 'v2');
    const second = await outbox.claim(partnerId, key, now(), lease(), 'lease-3');
    assert.equal(second?.job.version, 'v2');
    // A settlement with a lost lease changes nothing.
    assert.equal(await outbox.settle({ ...second, leaseToken: 'someone-else' }, { kind: 'delivered', requestId: 'x', httpStatus: 200 }, now()), 'lost');
    assert.equal((await outbox.get(partnerId, key))?.pending?.version, 'v2');
  });

  test('retries wait for their time; the poll lists due objects oldest first; an expired lease can be taken over', async () => {
    const partnerId = 'partner-order';
    const t0 = Date.now();
    await outbox.enqueue(aPushJob({ partnerId, objectKey: 'a', version: 'v1' }), new Date(t0 - 3_000));
    await outbox.enqueue(aPushJob({ partnerId, objectKey: 'b', version: 'v1' }), new Date(t0 - 2_000));
    // Replacing a's pending state keeps its place in the queue.
    await outbox.enqueue(aPushJob({ partnerId, objectKey: 'a', version: 'v2' }), new Date(t0 - 1_000));
    const mine = async (at: number) => (await outbox.dueObjects(new Date(at), 1_000)).filter((due) => due.partnerId === partnerId).map((due) => due.objectKey);
    assert.deepEqual(await mine(t0), ['a', 'b']);
    assert.deepEqual(await mine(t0 - 2_500), ['a']);

    const a = await outbox.claim(partnerId, 'a', new Date(t0), lease(), 'l-a');
    assert.equal(a?.job.version, 'v2');
    assert.ok(await outbox.retryLater(a, new Date(t0 + 60_000), 'HTTP 500', new Date(t0)), 'await outbox.retryLater(a, new Date(t0 + 60_000), "HTTP 500", new Date(t0))');
    assert.equal((await outbox.get(partnerId, 'a'))?.lastError?.message, 'HTTP 500');
    assert.equal(await outbox.claim(partnerId, 'a', new Date(t0), lease(), 'l-x'), undefined, 'not due before its retry time');
    const b = await outbox.claim(partnerId, 'b', new Date(t0), new Date(t0 + 1_000), 'l-b');
    assert.equal(b?.job.objectKey, 'b');
    assert.deepEqual(await mine(t0), [], 'a waits for its retry, b is leased');
    assert.deepEqual(await mine(t0 + 1_001), ['b'], 'b is due again when its lease ends');
    const takenOver = await outbox.claim(partnerId, 'b', new Date(t0 + 1_001), lease(), 'l-b2');
    assert.equal(takenOver?.attempts, 2);
    assert.equal(await outbox.retryLater(b, new Date(t0), 'late', new Date(t0)), false, 'the first holder lost its lease');
    assert.ok((await mine(t0 + 61_000)).includes('a'), 'a is due at its retry time');
  });

  test('a refused state is dead-lettered with the partner message; a newer state may follow', async () => {
    const partnerId = 'partner-refuses';
    await outbox.enqueue(aPushJob({ partnerId, version: 'v1' }), now());
    const claim = await outbox.claim(partnerId, aPushJob().objectKey, now(), lease(), 'l');
    assert.ok(claim, 'claim');
    await outbox.settle(claim, { kind: 'rejected', requestId: 'r9', httpStatus: 400, statusCode: 2001, message: 'missing evse_uid' }, now());
    const [letter] = await outbox.rejected(partnerId);
    assert.equal(letter?.version, 'v1');
    assert.equal(letter?.statusCode, 2001);
    assert.equal(letter?.message, 'missing evse_uid');
    assert.deepEqual((await outbox.dueObjects(new Date(Date.now() + 60_000), 1_000)).filter((due) => due.partnerId === partnerId), []);
    assert.equal(await outbox.enqueue(aPushJob({ partnerId, version: 'v1' }), now()), 'stale');
    assert.equal(await outbox.enqueue(aPushJob({ partnerId, version: 'v2' }), now()), 'queued');
  });

  test('partner backoff is stored; forgetting a partner drops its records', async () => {
    const until = new Date(Date.now() + 5_000);
    await outbox.savePartnerState('partner-x', { failures: 3, pausedUntil: until, lastError: 'HTTP 429' });
    assert.deepEqual(await outbox.partnerState('partner-x'), { failures: 3, pausedUntil: until, lastError: 'HTTP 429' });
    await outbox.savePartnerState('partner-x', { failures: 0, pausedUntil: new Date(0) });
    assert.deepEqual(await outbox.partnerState('partner-x'), { failures: 0, pausedUntil: new Date(0) });
    await outbox.enqueue(aPushJob({ partnerId: 'partner-x', objectKey: 'k1' }), now());
    await outbox.enqueue(aPushJob({ partnerId: 'partner-x', objectKey: 'k2' }), now());
    assert.equal(await outbox.forgetPartner('partner-x'), 2);
    assert.equal(await outbox.partnerState('partner-x'), undefined);
    assert.equal((await outbox.backlog()).find((entry) => entry.partnerId === 'partner-x'), undefined);
  });

  test('refuses ids and versions it could not order or key', async () => {
    await assert.rejects(outbox.enqueue(aPushJob({ partnerId: 'a|b' }), now()));
    await assert.rejects(outbox.enqueue(aPushJob({ version: 'has space' }), now()));
  });
});
