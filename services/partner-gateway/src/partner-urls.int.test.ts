import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { EventPublisher } from '@voltmesh/kafka';
import { connectMongo, type MongoHandle } from '@voltmesh/mongo';
import { createLogger } from '@voltmesh/telemetry';
import { startSimPartner, testInfra, type SimPartner } from '@voltmesh/testing';
import { buildGateway, type Gateway } from './app.js';
import { loadGatewayConfig } from './config.js';

const infra = testInfra();
const ADMIN_TOKEN = randomBytes(33).toString('base64url');

/**
 * The production setting (ALLOW_PRIVATE_PARTNER_URLS off) against partners on loopback: the
 * versions URL an operator enters and the one a partner sends in its credentials are refused,
 * and the partner never gets a request from us (response_urls: url-guard and guarded-fetch tests).
 */
describe('partner-supplied URLs on private or loopback addresses, refused by the production configuration', () => {
  let mongo: MongoHandle;
  let gateway: Gateway;
  let partner: SimPartner;

  before(async () => {
    mongo = await connectMongo(infra.mongoUrl, infra.unique('partner_urls'));
    const config = loadGatewayConfig({ ADMIN_TOKEN, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), PARTNER_TIMEOUT_MS: '2000' });
    assert.equal(config.ALLOW_PRIVATE_PARTNER_URLS, false, 'private partner URLs are refused by default');
    // Nothing reaches Kafka on these paths: a refused handshake publishes no connection event.
    const publisher = { publish: async () => assert.fail('nothing is published') } as unknown as EventPublisher;
    gateway = buildGateway({ config, db: mongo.db, publisher, logger: createLogger('partner-urls-test', 'silent') });
    await gateway.store.ensureIndexes();
    partner = await startSimPartner({ countryCode: 'BE', partyId: 'LOO', role: 'CPO' });
  });

  after(async () => {
    await partner?.close();
    await gateway?.ocpi.close();
    await gateway?.admin.close();
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  test('we do not connect to a partner whose versions URL is on loopback: 502 with 3001 naming the cause', async () => {
    const answer = await gateway.admin.inject({
      method: 'POST',
      url: '/admin/connections',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { versions_url: partner.versionsUrl, token_a: partner.issueTokenA() },
    });
    assert.equal(answer.statusCode, 502, answer.body);
    const error = (answer.json() as { error: { ocpi_status: number; message: string } }).error;
    assert.equal(error.ocpi_status, 3001);
    assert.match(error.message, /private or loopback address/, error.message);
    assert.equal(partner.state.requests.length, 0, 'the partner got no request');
  });

  test('a partner registering with credentials whose URL is on loopback is refused (3001); its token A stays usable', async () => {
    const invitation = (await gateway.admin.inject({ method: 'POST', url: '/admin/invitations', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: {} })).json() as { token_a: string };
    const authorization = `Token ${Buffer.from(invitation.token_a).toString('base64')}`;
    const credentials = { token: partner.issueTokenA(), url: partner.versionsUrl, roles: [{ role: 'CPO', country_code: 'BE', party_id: 'LOO', business_details: { name: 'Loopback' } }] };
    const registered = await gateway.ocpi.inject({ method: 'POST', url: '/ocpi/2.2.1/credentials', headers: { authorization }, payload: credentials });
    const body = registered.json() as { status_code: number; status_message: string };
    assert.equal(body.status_code, 3001, registered.body);
    assert.match(body.status_message, /private or loopback address/);
    assert.equal(partner.state.requests.length, 0, 'the partner got no request');
    assert.equal((await gateway.ocpi.inject({ method: 'GET', url: '/ocpi/versions', headers: { authorization } })).statusCode, 200, 'the invitation is still usable');
  });
});
