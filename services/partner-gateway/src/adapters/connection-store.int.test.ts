import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connectMongo, type MongoHandle } from '@voltmesh/mongo';
import { testInfra } from '@voltmesh/testing';
import { ConnectionStore, type Registration } from './connection-store.js';
import { mintCredentialsToken, TokenCipher } from './token-cipher.js';

const infra = testInfra();

const registration = (inboundToken: string, previousTokenGraceMs?: number): Registration => ({
  platform: { version: '2.2.1', authMode: 'base64', versionsUrl: 'https://partner.example/ocpi/versions', roles: [{ role: 'CPO', countryCode: 'BE', partyId: 'ABC', businessName: 'ABC' }], endpoints: [] },
  inboundToken,
  outboundToken: mintCredentialsToken(),
  ...(previousTokenGraceMs !== undefined ? { previousTokenGraceMs } : {}),
});

describe('credentials tokens in the connection store (FerretDB): registration tokens expire and die on use, rotated tokens keep a grace period', () => {
  let mongo: MongoHandle;
  let store: ConnectionStore;

  before(async () => {
    mongo = await connectMongo(infra.mongoUrl, infra.unique('connection_store'));
    store = new ConnectionStore(mongo.db, new TokenCipher(randomBytes(32).toString('base64')));
    await store.ensureIndexes();
  });

  after(async () => {
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  test('a registration token works until it expires, and never after it was used to register', async () => {
    const tokenA = mintCredentialsToken();
    const expiresAt = new Date(Date.now() + 60_000);
    await store.insertPending({ id: 'pending-1', initiator: 'PARTNER', authMode: 'base64', inboundToken: tokenA, inboundTokenExpiresAt: expiresAt });
    assert.equal((await store.findByInboundToken(tokenA))?.connection.id, 'pending-1', 'token A opens the pending connection');
    assert.equal(await store.findByInboundToken(tokenA, new Date(expiresAt.getTime() + 1)), undefined, 'not once it expired');

    const tokenC = mintCredentialsToken();
    assert.ok(await store.register('pending-1', 'PENDING', tokenA, registration(tokenC, 60_000)), 'registered with token A');
    assert.equal(await store.findByInboundToken(tokenA), undefined, 'token A is dead once used, whatever grace rotations get');
    assert.equal(await store.register('pending-1', 'PENDING', tokenA, registration(mintCredentialsToken())), undefined, 'and cannot register twice');
    const current = await store.findByInboundToken(tokenC, new Date(expiresAt.getTime() + 3_600_000));
    assert.equal(current?.previousToken, false, "the partner's own token never expires with token A's time");
  });

  test('a rotated token keeps working for the grace period only, a grace of 0 revokes it with the rotation, unregistering revokes every token', async () => {
    const first = mintCredentialsToken();
    await store.insertPending({ id: 'rotating', initiator: 'PARTNER', authMode: 'base64', inboundToken: 'token-a-rotating' });
    await store.register('rotating', 'PENDING', 'token-a-rotating', registration(first));
    const second = mintCredentialsToken();
    const rotatedAt = Date.now();
    await store.register('rotating', 'REGISTERED', first, registration(second, 2_000));
    assert.deepEqual(
      { id: (await store.findByInboundToken(first))?.connection.id, previous: (await store.findByInboundToken(first))?.previousToken },
      { id: 'rotating', previous: true },
      'the old token still opens the connection, marked as the previous one',
    );
    assert.equal(await store.findByInboundToken(first, new Date(rotatedAt + 2_500)), undefined, 'not after the grace period');
    assert.equal((await store.findByInboundToken(second))?.previousToken, false, 'the new token is the current one');

    const third = mintCredentialsToken();
    await store.register('rotating', 'REGISTERED', second, registration(third, 0));
    assert.equal(await store.findByInboundToken(second), undefined, 'grace 0: the replaced token is dead at once');
    assert.equal(await store.findByInboundToken(first), undefined, 'and the one before it is forgotten');

    const fourth = mintCredentialsToken();
    await store.register('rotating', 'REGISTERED', third, registration(fourth, 60_000));
    assert.ok(await store.findByInboundToken(third), 'in its grace period');
    await store.unregister('rotating', 'REGISTERED');
    assert.equal(await store.findByInboundToken(fourth), undefined, 'unregistered: the current token is dead at once');
    assert.equal(await store.findByInboundToken(third), undefined, 'and so is the one in its grace period');
  });

  test('no token is stored in plaintext: only HMACs and AES-GCM sealed values', async () => {
    const tokens = [mintCredentialsToken(), mintCredentialsToken()];
    await store.insertPending({ id: 'sealed', initiator: 'US', authMode: 'base64', inboundToken: tokens[0]!, outboundToken: tokens[1]! });
    const raw = JSON.stringify(await mongo.db.collection('connections').find({}).toArray());
    for (const token of tokens) assert.ok(!raw.includes(token), 'the raw documents never hold a token');
    assert.equal(await store.inboundToken('sealed'), tokens[0], 'yet the sealed token reads back with the key');
  });
});
