import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { AppError } from '@voltmesh/errors';
import { Topics } from './topics.js';
import { EventPublisher } from './publisher.js';

test('a publish the broker never acknowledges fails UNAVAILABLE at the deadline instead of waiting out the client retries', async () => {
  let sends = 0;
  const producer = { connect: async () => undefined, disconnect: async () => undefined, sendBatch: () => ((sends += 1), new Promise<never>(() => undefined)) };
  const publisher = new EventPublisher({ producer: () => producer } as unknown as Kafka, 'test', 300);
  const started = Date.now();
  const error = await publisher.publish({ topic: Topics.location, key: 'NL*VLT*1', type: 'x', value: new Uint8Array([1]) }).catch((thrown: unknown) => thrown);
  const waited = Date.now() - started;
  assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
  assert.equal(error.code, 'UNAVAILABLE');
  assert.ok(waited >= 290 && waited < 2_000, `answered after ${waited} ms`);
  assert.equal(sends, 1, 'the send was attempted');
});
