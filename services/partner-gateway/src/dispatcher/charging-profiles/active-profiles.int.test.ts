import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createKafka, dlqTopicName, ConsumerGroups, EventPublisher, Topics, type RunningConsumer } from '@voltmesh/kafka';
import { connectMongo, type MongoHandle } from '@voltmesh/mongo';
import { chargingProfileService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { collectEvents, testInfra, type EventCollector } from '@voltmesh/testing';
import { PartnerClient } from '../../adapters/partner-client.js';
import type { Connection } from '../../domain/connection.js';
import { MongoPushOutbox, PushEngine } from '../push/index.js';
import { consumeActiveProfiles } from './consume-active-profiles.js';

const infra = testInfra();
const logger = createLogger('active-profiles-test', 'silent');

interface Received {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: { charging_profile?: { charging_profile_period?: Array<{ limit: number }> } };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** An ActiveChargingProfile whose one period's limit tells the changes apart. */
const activeProfile = (limit: number) => ({ start_date_time: '2026-05-01T10:00:00Z', charging_profile: { charging_rate_unit: 'A', charging_profile_period: [{ start_period: 0, limit }] } });

describe('ActiveProfileChanged → push to the eMSP, through real Kafka, FerretDB and HTTP', () => {
  const received: Received[] = [];
  const emsp: FastifyInstance = Fastify();
  let mongo: MongoHandle;
  let publisher: EventPublisher;
  let engine: PushEngine;
  let consumer: RunningConsumer;
  let dlq: EventCollector;
  let outbox: MongoPushOutbox;
  let connection: Connection;

  before(async () => {
    emsp.put('/emsp/chargingprofiles/:session_id', async (request) => {
      received.push({ url: request.url, headers: request.headers, body: request.body as Received['body'] });
      return { status_code: 1000, timestamp: new Date().toISOString() };
    });
    const base = await emsp.listen({ port: 0, host: '127.0.0.1' });
    connection = {
      id: 'emsp-1',
      state: 'REGISTERED',
      initiator: 'PARTNER',
      authMode: 'base64',
      roles: [{ role: 'EMSP', countryCode: 'DE', partyId: 'EMS', businessName: 'eMSP' }],
      endpoints: [{ module: 'chargingprofiles', interfaceRole: 'SENDER', url: `${base}/emsp/chargingprofiles/` }],
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    mongo = await connectMongo(infra.mongoUrl, infra.unique('active_profiles_test'));
    outbox = new MongoPushOutbox(mongo.db);
    await outbox.ensureIndexes();
    engine = new PushEngine(
      { outbox, partners: new PartnerClient(5_000, logger), logger, credentials: { getCredentials: async () => ({ token: 'tok-emsp', authMode: 'base64' }) } },
      { callTimeoutMs: 2_000, pollIntervalMs: 200, backoffBaseMs: 50, backoffMaxMs: 400 },
    );
    engine.start();
    const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'active-profiles-test' }, logger);
    publisher = new EventPublisher(kafka, 'sessions');
    await publisher.connect();
    dlq = await collectEvents(infra.kafkaBrokers, { name: dlqTopicName(ConsumerGroups.dispatcherActiveProfiles), partitions: 1, description: 'dlq' }, infra.unique('dlq_reader'));
    consumer = await consumeActiveProfiles({ kafka, engine, directory: { get: (id) => (id === connection.id ? connection : undefined) }, publisher, logger });
  });
  after(async () => {
    await consumer.stop();
    await engine.stop();
    await dlq.stop();
    await publisher.disconnect();
    await emsp.close();
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  const publish = (change: Partial<chargingProfileService.ActiveProfileChanged>) =>
    publisher.publish({
      topic: Topics.activeProfile,
      key: 'NL*VLT*S-1',
      type: 'voltmesh.sessions.v1.ActiveProfileChanged',
      value: chargingProfileService.ActiveProfileChanged.encode(
        chargingProfileService.ActiveProfileChanged.fromPartial({
          cpo: { countryCode: 'NL', partyId: 'VLT' },
          sessionId: 'S-1',
          connectionId: 'emsp-1',
          emsp: { countryCode: 'DE', partyId: 'EMS' },
          ...change,
        }),
      ).finish(),
      correlationId: 'corr-profile',
    });

  test('the newest profile reaches the eMSP’s SENDER endpoint as a PUT; an older replay never follows it; a malformed change goes to the DLQ', async () => {
    // For a connection that is gone: nothing queued. Same key, so handled before the others.
    await publish({ connectionId: 'gone', activeProfileJson: JSON.stringify(activeProfile(1)), revision: '1' });
    await publish({ activeProfileJson: JSON.stringify(activeProfile(16)), revision: '1' });
    await publish({ activeProfileJson: JSON.stringify(activeProfile(10)), revision: '3' });
    // Revision 2 arrives after 3 (a replay): stale.
    await publish({ activeProfileJson: JSON.stringify(activeProfile(13)), revision: '2' });
    await publish({ activeProfileJson: JSON.stringify({ charging_profile: {} }), revision: '4' });

    const dead = await dlq.next((event) => event.key === 'NL*VLT*S-1', 30_000);
    assert.match(dead.headers['dlq-error'] ?? '(no dlq-error header)', /^ActiveProfileChanged\.active_profile_json: start_date_time:/, 'the DLQ names the field');
    assert.equal(dead.headers['dlq-error-code'], 'INVALID_ARGUMENT');
    await until('revision 3 delivered', async () => (await outbox.get('emsp-1', 'chargingprofiles:NL*VLT*S-1'))?.delivered?.version === '1970-01-01T00:00:00.000Z#0000000000000003');

    const limits = received.map((entry) => entry.body.charging_profile?.charging_profile_period?.[0]?.limit);
    assert.equal(limits.at(-1), 10, `the newest profile is the last one sent: ${JSON.stringify(limits)}`);
    assert.ok(!limits.includes(13), `the stale revision 2 was never sent: ${JSON.stringify(limits)}`);
    assert.ok(limits.every((limit) => limit === 16 || limit === 10), `only revisions 1 and 3: ${JSON.stringify(limits)}`);
    const last = received.at(-1)!;
    assert.equal(last.url, '/emsp/chargingprofiles/S-1');
    assert.equal(last.headers['authorization'], `Token ${Buffer.from('tok-emsp').toString('base64')}`);
    assert.deepEqual(
      [last.headers['ocpi-from-country-code'], last.headers['ocpi-from-party-id'], last.headers['ocpi-to-country-code'], last.headers['ocpi-to-party-id']],
      ['NL', 'VLT', 'DE', 'EMS'],
    );
    assert.equal(last.headers['x-correlation-id'], 'corr-profile');
    assert.equal(await outbox.get('gone', 'chargingprofiles:NL*VLT*S-1'), undefined, 'nothing queued for a connection that is gone');
  });
});
