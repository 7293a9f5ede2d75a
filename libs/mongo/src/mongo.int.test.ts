import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { testInfra } from '@voltmesh/testing';
import { connectMongo, isDuplicateKeyError, mongoCall } from './index.js';

const infra = testInfra();

describe('libs/mongo against a real FerretDB', () => {
  test('connects, enforces unique indexes and does conditional single-document updates', async () => {
    const mongo = await connectMongo(infra.mongoUrl, infra.unique('mongo_test'));
    try {
      const things = mongo.db.collection<{ _id: string; key: string; state: string; version: number }>('things');
      await things.createIndex({ key: 1 }, { unique: true });
      await things.insertOne({ _id: 'a', key: 'k1', state: 'PENDING', version: 1 });
      const duplicate = await things.insertOne({ _id: 'b', key: 'k1', state: 'PENDING', version: 1 }).catch((error: unknown) => error);
      assert.ok(isDuplicateKeyError(duplicate), 'second insert with the same unique key is refused');

      // Only the first of two writers that expect PENDING wins: the pattern every handshake relies on.
      const first = await things.findOneAndUpdate({ _id: 'a', state: 'PENDING' }, { $set: { state: 'REGISTERED' }, $inc: { version: 1 } }, { returnDocument: 'after' });
      const second = await things.findOneAndUpdate({ _id: 'a', state: 'PENDING' }, { $set: { state: 'REGISTERED' }, $inc: { version: 1 } }, { returnDocument: 'after' });
      assert.equal(first?.version, 2);
      assert.equal(second, null);

      const upserted = await things.findOneAndUpdate(
        { _id: 'c' },
        { $set: { state: 'NEW' }, $setOnInsert: { key: 'k3', version: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      assert.deepEqual(upserted, { _id: 'c', key: 'k3', state: 'NEW', version: 1 });
    } finally {
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  });

  test('an unreachable server is a retryable UNAVAILABLE error, not a hang', async () => {
    const started = Date.now();
    await assert.rejects(connectMongo('mongodb://127.0.0.1:9/', 'nowhere'), (error: unknown) => error instanceof AppError && error.code === 'UNAVAILABLE' && error.retryable);
    assert.ok(Date.now() - started < 15_000, 'Date.now() - started < 15_000');
  });

  test('mongoCall keeps driver errors inside the adapter: they come out as AppErrors', async () => {
    await assert.rejects(
      mongoCall('boom', async () => {
        throw new Error('driver exploded');
      }),
      (error: unknown) => error instanceof AppError && error.code === 'INTERNAL' && error.message === 'mongo boom failed',
    );
  });
});
