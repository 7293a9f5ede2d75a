import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials, status } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import { ConsumerGroups, dlqTopicName, Topics, type EventPublisher } from '@voltmesh/kafka';
import { startGrpcServer, type RunningGrpcServer } from '@voltmesh/grpc';
import { authorizationInfoSchema, type AuthorizationInfo, type Token } from '@voltmesh/ocpi';
import { objects, partnerService, tokens, tokenService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { aToken, collectEvents, startServiceInProcess, testInfra, waitFor, type EventCollector, type InProcessService, grpcCall, grpcError } from '@voltmesh/testing';
import { buildAuthorization } from '../src/app.js';
import { loadAuthorizationConfig } from '../src/config.js';

const infra = testInfra();
const { DecidedBy } = tokenService;
const { PartnerAnswer } = partnerService;

const call = grpcCall;

/**
 * Stands in for the gateway's PartnerService.AuthorizeToken: answers what the test sets, after
 * a delay the test sets, and remembers every request.
 */
async function startFakeGateway() {
  const state = {
    requests: [] as partnerService.AuthorizeTokenRequest[],
    delayMs: 0,
    respond: (_request: partnerService.AuthorizeTokenRequest): partnerService.AuthorizeTokenResponse => ({ answer: PartnerAnswer.PARTNER_ANSWER_UNREACHABLE, message: 'not set', connectionId: '', authorizationInfoJson: '' }),
  };
  const implementation: partnerService.PartnerServiceServer = {
    listConnections: (_call, callback) => callback(null, { connections: [] }),
    getConnection: (_call, callback) => callback({ code: status.NOT_FOUND, details: 'none' }),
    authorizeToken: (serverCall, callback) => {
      state.requests.push(serverCall.request);
      const reply = state.respond(serverCall.request);
      setTimeout(() => callback(null, reply), state.delayMs);
    },
  };
  const server: RunningGrpcServer = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [{ name: 'voltmesh.gateway.v1.PartnerService', definition: partnerService.PartnerServiceService, implementation }],
    logger: createLogger('fake-gateway', 'silent'),
  });
  server.setServing(true);
  return { state, address: `127.0.0.1:${server.port}`, stop: () => server.stop(500) };
}

describe('authorization service on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let db: Db;
  let publisher: EventPublisher;
  let client: tokenService.TokenServiceClient;
  let changes: EventCollector;
  let rejected: EventCollector;
  let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
  let config: ReturnType<typeof loadAuthorizationConfig>;

  // Unique parties per run: the topics are shared with other tests of this run.
  const suffix = () => infra.unique('p').slice(-3).toUpperCase();
  const emsp = { country_code: 'NL', party_id: suffix() };
  const cpo = { country_code: 'NL', party_id: suffix() };
  const partner = { country_code: 'DE', party_id: suffix() };
  const ownParty = { countryCode: emsp.country_code, partyId: emsp.party_id };
  const partnerParty = { countryCode: partner.country_code, partyId: partner.party_id };

  const rpc = {
    issue: (token: unknown, account?: Partial<tokens.TokenAccount>) =>
      call<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(client.issueToken.bind(client), { ocpiJson: JSON.stringify(token), account: account ? tokens.TokenAccount.fromPartial(account) : undefined }),
    update: (request: Partial<tokenService.UpdateTokenRequest>) => call<tokenService.UpdateTokenRequest, tokenService.UpdateTokenResponse>(client.updateToken.bind(client), tokenService.UpdateTokenRequest.fromPartial(request)),
    block: (party: { countryCode: string; partyId: string }, uid: string, type = '') => call<tokenService.BlockTokenRequest, tokenService.BlockTokenResponse>(client.blockToken.bind(client), { token: { party, uid, type } }),
    get: (party: { countryCode: string; partyId: string }, uid: string, type = '') => call<tokenService.GetTokenRequest, tokenService.GetTokenResponse>(client.getToken.bind(client), { token: { party, uid, type } }),
    list: (request: Partial<tokenService.ListTokensRequest>) => call<tokenService.ListTokensRequest, tokenService.ListTokensResponse>(client.listTokens.bind(client), tokenService.ListTokensRequest.fromPartial(request)),
    authorizeOwn: (request: Partial<tokenService.AuthorizeOwnTokenRequest>) =>
      call<tokenService.AuthorizeOwnTokenRequest, tokenService.AuthorizeOwnTokenResponse>(client.authorizeOwnToken.bind(client), tokenService.AuthorizeOwnTokenRequest.fromPartial({ connectionId: 'cpo-conn', requester: { countryCode: 'FR', partyId: 'CPX' }, ...request })),
    authorize: (request: Partial<tokenService.AuthorizeRequest>, on = client) => call<tokenService.AuthorizeRequest, tokenService.AuthorizeResponse>(on.authorize.bind(on), tokenService.AuthorizeRequest.fromPartial(request)),
    decisions: (request: Partial<tokenService.ListDecisionsRequest>) => call<tokenService.ListDecisionsRequest, tokenService.ListDecisionsResponse>(client.listDecisions.bind(client), tokenService.ListDecisionsRequest.fromPartial(request)),
  };
  const changed = (event: { value: Buffer }) => tokens.TokenChanged.decode(event.value);
  const readToken = (response: { token?: tokens.Token | undefined }) => JSON.parse(response.token?.ocpiJson ?? '{}') as Token;
  const keyOf = (party: { country_code: string; party_id: string }, uid: string, type = 'RFID') => `${party.country_code}*${party.party_id}*${uid}*${type}`.toUpperCase();
  /** Events on authorization.token.v1 for one key, in the order they arrived. */
  const eventsOf = (key: string) => changes.events.filter((event) => event.key === key).map(changed);
  const ownToken = (overrides: Partial<Token> = {}) => aToken({ ...emsp, uid: 'OWN1', contract_id: 'NL-VLM-C00000001-X', ...overrides });
  const partnerToken = (overrides: Partial<Token> = {}) => aToken({ ...partner, ...overrides });
  const partnerWrite = (fields: Partial<tokens.PartnerTokenWrite> & { uid: string }, party = partnerParty) =>
    publisher.publish({
      topic: Topics.partnerToken,
      key: `${party.countryCode}*${party.partyId}*${fields.uid}*${fields.type || 'RFID'}`.toUpperCase(),
      type: 'voltmesh.authorization.v1.PartnerTokenWrite',
      value: tokens.PartnerTokenWrite.encode(tokens.PartnerTokenWrite.fromPartial({ connectionId: 'conn-1', party, method: objects.WriteMethod.WRITE_METHOD_PUT, ...fields })).finish(),
    });
  /** PUTs a partner token through the topic and waits until it is stored and announced. */
  const pushPartnerToken = async (token: Token) => {
    await partnerWrite({ uid: token.uid, type: token.type, ocpiJson: JSON.stringify(token) });
    const lastUpdated = new Date(token.last_updated).toISOString();
    await changes.next((event) => event.key === keyOf(partner, token.uid, token.type) && changed(event).token?.lastUpdated === lastUpdated);
  };

  before(async () => {
    gateway = await startFakeGateway();
    config = loadAuthorizationConfig({
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: infra.unique('authorization'),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      OWN_PARTIES: `CPO:${cpo.country_code}*${cpo.party_id},EMSP:${emsp.country_code}*${emsp.party_id}`,
      GATEWAY_GRPC_ADDRESS: gateway.address,
      RTA_TIMEOUT_MS: '1000',
      REPUBLISH_INTERVAL_MS: '500',
    });
    changes = await collectEvents(infra.kafkaBrokers, Topics.token, infra.unique('collector'));
    const dlq = { name: dlqTopicName(ConsumerGroups.authorizationPartnerWrites), partitions: 1, description: 'partner writes the service refused' };
    rejected = await collectEvents(infra.kafkaBrokers, dlq, infra.unique('dlq-collector'));
    service = await startServiceInProcess('authorization-test', (deps) => buildAuthorization(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ db, publisher } = service);
    client = new tokenService.TokenServiceClient(service.address, credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await changes.stop();
    await rejected.stop();
    await service.stop();
    await gateway.stop();
  });

  test('our own token is issued, updated, blocked and announced once per change; refusals name the field', async () => {
    const key = keyOf(emsp, 'OWN1');
    const issued = await rpc.issue(ownToken({ uid: 'own1' }), { noCredit: false, allowedCpoParties: ['fr*cpx'] });
    assert.equal(issued.changed, true);
    assert.equal(issued.token?.owner, objects.Owner.OWNER_OWN);
    assert.deepEqual(issued.token?.account, { validUntil: '', noCredit: false, allowedCpoParties: ['FR*CPX'] });
    const event = changed(await changes.next((candidate) => candidate.key === key));
    assert.equal(event.connectionId, '');
    assert.equal(event.token?.uid, 'OWN1', 'ids are CiStrings: stored upper case');
    assert.equal((await rpc.issue(ownToken())).changed, false, 'the same token again changes nothing');
    assert.equal((await rpc.issue(ownToken({ issuer: 'Older', last_updated: '2025-01-01T00:00:00Z' }))).changed, false, 'an older one changes nothing');

    const updated = await rpc.update({ token: { party: ownParty, uid: 'own1', type: 'rfid' }, patchJson: JSON.stringify({ whitelist: 'NEVER', language: 'nl' }) });
    assert.equal(updated.changed, true);
    const afterUpdate = readToken(updated);
    assert.deepEqual([afterUpdate.whitelist, afterUpdate.language, afterUpdate.issuer], ['NEVER', 'nl', 'Test eMSP']);
    assert.ok(afterUpdate.last_updated > ownToken().last_updated, 'dated now');
    assert.deepEqual(updated.token?.account?.allowedCpoParties, ['FR*CPX'], 'an update without account keeps it');
    const blocked = await rpc.block(ownParty, 'OWN1');
    assert.equal(readToken(blocked).valid, false);
    assert.equal((await rpc.block(ownParty, 'OWN1')).changed, false, 'blocking twice changes nothing');
    await changes.next((candidate) => candidate.key === key && JSON.parse(changed(candidate).token?.ocpiJson ?? '{}').valid === false);
    assert.deepEqual(eventsOf(key).map((announced) => (JSON.parse(announced.token?.ocpiJson ?? '{}') as Token).whitelist), ['ALLOWED', 'NEVER', 'NEVER'], 'issue, update, block');
    assert.equal(readToken(await rpc.get(ownParty, 'own1', 'rfid')).valid, false);

    await assert.rejects(rpc.get(ownParty, 'NOPE'), grpcError(status.NOT_FOUND, /NOPE/));
    await assert.rejects(rpc.update({ token: { party: ownParty, uid: 'NOPE', type: '' }, patchJson: '{"valid":false}' }), grpcError(status.NOT_FOUND, /unknown token/));
    await assert.rejects(rpc.issue(aToken({ country_code: 'BE', party_id: 'XXX' })), grpcError(status.INVALID_ARGUMENT, /ocpi_json: party BE\*XXX is not one of our eMSP parties/));
    await assert.rejects(rpc.issue({ ...ownToken(), whitelist: 'SOMETIMES' }), grpcError(status.INVALID_ARGUMENT, /ocpi_json: whitelist/));
    await assert.rejects(rpc.issue(ownToken(), { validUntil: 'tomorrow' }), grpcError(status.INVALID_ARGUMENT, /account\.valid_until/));
    await assert.rejects(rpc.update({ token: { party: ownParty, uid: 'OWN1', type: '' }, patchJson: '{"uid":"OTHER"}' }), grpcError(status.INVALID_ARGUMENT, /uid: .*identity/));
    await assert.rejects(rpc.get(ownParty, 'OWN1', 'CARD'), grpcError(status.INVALID_ARGUMENT, /token\.type: must be one of/));
    await assert.rejects(rpc.get({ countryCode: 'NLD', partyId: 'VLM' }, 'OWN1'), grpcError(status.INVALID_ARGUMENT, /token\.party\.country_code/));
  });

  test("partner PUT and PATCH through the topic; another connection, a PATCH of an unknown token, and our own party are refused to the DLQ", async () => {
    const key = keyOf(partner, 'P1');
    await partnerWrite({ uid: 'p1', ocpiJson: JSON.stringify(partnerToken({ uid: 'p1', last_updated: '2026-03-01T10:00:00Z' })) });
    await partnerWrite({ uid: 'P1', method: objects.WriteMethod.WRITE_METHOD_PATCH, ocpiJson: JSON.stringify({ valid: false, last_updated: '2026-03-02T10:00:00Z' }) });
    await partnerWrite({ uid: 'P1', method: objects.WriteMethod.WRITE_METHOD_PATCH, ocpiJson: JSON.stringify({ whitelist: 'NEVER', last_updated: '2026-03-01T12:00:00Z' }) }); // older: ignored
    await partnerWrite({ uid: 'P1', method: objects.WriteMethod.WRITE_METHOD_PATCH, ocpiJson: JSON.stringify({ valid: true, language: 'de', last_updated: '2026-03-03T10:00:00Z' }) });
    await changes.next((candidate) => candidate.key === key && changed(candidate).token?.lastUpdated === '2026-03-03T10:00:00.000Z');
    assert.deepEqual(
      eventsOf(key).map((event) => [event.token?.lastUpdated, (JSON.parse(event.token?.ocpiJson ?? '{}') as Token).valid, event.connectionId, event.token?.owner]),
      [
        ['2026-03-01T10:00:00.000Z', true, 'conn-1', objects.Owner.OWNER_PARTNER],
        ['2026-03-02T10:00:00.000Z', false, 'conn-1', objects.Owner.OWNER_PARTNER],
        ['2026-03-03T10:00:00.000Z', true, 'conn-1', objects.Owner.OWNER_PARTNER],
      ],
      'no event for the older PATCH',
    );
    const stored = readToken(await rpc.get(partnerParty, 'P1'));
    assert.deepEqual([stored.whitelist, stored.language, stored.issuer], ['ALLOWED', 'de', 'Test eMSP'], 'a PATCH changes only what it names');

    // Another partner connection claiming the same token.
    await partnerWrite({ uid: 'P1', connectionId: 'conn-2', ocpiJson: JSON.stringify(partnerToken({ uid: 'P1', issuer: 'Hijack', last_updated: '2027-01-01T00:00:00Z' })) });
    const hijack = await rejected.next((candidate) => candidate.key === key);
    assert.equal(hijack.headers['dlq-error-code'], 'FAILED_PRECONDITION');
    assert.match(hijack.headers['dlq-error'] ?? '', /another partner connection/);
    // A PATCH of a token never PUT.
    await partnerWrite({ uid: 'GHOST', method: objects.WriteMethod.WRITE_METHOD_PATCH, ocpiJson: JSON.stringify({ valid: false, last_updated: '2026-03-01T10:00:00Z' }) });
    const ghost = await rejected.next((candidate) => candidate.key === keyOf(partner, 'GHOST'));
    assert.equal(ghost.headers['dlq-error-code'], 'INVALID_ARGUMENT');
    // A partner writing under one of our own parties.
    await partnerWrite({ uid: 'OWN1', ocpiJson: JSON.stringify(ownToken({ issuer: 'Hijack', last_updated: '2027-01-01T00:00:00Z' })) }, ownParty);
    const claim = await rejected.next((candidate) => candidate.key === keyOf(emsp, 'OWN1'));
    assert.match(claim.headers['dlq-error'] ?? '', /one of our own parties/);
    assert.equal(readToken(await rpc.get(partnerParty, 'P1')).issuer, 'Test eMSP');
    assert.equal(readToken(await rpc.get(ownParty, 'OWN1')).issuer, 'Test eMSP');
    // And our own API never writes a partner's token.
    await assert.rejects(rpc.block(partnerParty, 'P1'), grpcError(status.FAILED_PRECONDITION, /belongs to a partner/));

    const byConnection = await rpc.list({ connectionId: 'conn-1' });
    assert.ok(byConnection.tokens.some((token) => token.uid === 'P1') && byConnection.tokens.every((token) => token.connectionId === 'conn-1'), 'byConnection.tokens.some((token) => token.uid === "P1") && byConnection.tokens.every((token) => t...');
  });

  test('lists page by last_updated with owner, party and contract filters', async () => {
    for (const [index, day] of ['10', '11', '12'].entries()) {
      await rpc.issue(ownToken({ uid: `L${index}`, contract_id: `NL-VLM-L${index}`, last_updated: `2020-04-${day}T00:00:00Z` }));
    }
    const all = await rpc.list({ owner: objects.Owner.OWNER_OWN, party: ownParty });
    assert.deepEqual(all.tokens.map((token) => token.uid), ['L0', 'L1', 'L2', 'OWN1']);
    const page = await rpc.list({ owner: objects.Owner.OWNER_OWN, party: ownParty, page: { offset: 1, limit: 2, dateFrom: '', dateTo: '' } });
    assert.deepEqual(page.tokens.map((token) => token.uid), ['L1', 'L2']);
    assert.deepEqual(page.page, { total: 4, limit: 2 });
    assert.deepEqual((await rpc.list({ contractId: 'nl-vlm-l1' })).tokens.map((token) => token.uid), ['L1'], 'contract ids compare case-insensitively');
    assert.equal((await rpc.list({ owner: objects.Owner.OWNER_PARTNER, party: ownParty })).tokens.length, 0);
    const window = await rpc.list({ owner: objects.Owner.OWNER_OWN, party: ownParty, page: { offset: 0, limit: 0, dateFrom: '2020-04-11T00:00:00Z', dateTo: '2020-04-12T00:00:00Z' } });
    assert.deepEqual(window.tokens.map((token) => token.uid), ['L1'], 'date_from inclusive, date_to exclusive');
  });

  test('AuthorizeOwnToken answers a partner CPO for our tokens by their account rules, and only for ours', async () => {
    const expired = '2020-01-01T00:00:00Z';
    await rpc.issue(ownToken({ uid: 'A-OK' }));
    await rpc.issue(ownToken({ uid: 'A-BLOCKED', valid: false }));
    await rpc.issue(ownToken({ uid: 'A-EXPIRED' }), { validUntil: expired });
    await rpc.issue(ownToken({ uid: 'A-BROKE' }), { noCredit: true });
    await rpc.issue(ownToken({ uid: 'A-ELSEWHERE' }), { allowedCpoParties: ['BE*CPO'] });
    await rpc.issue(ownToken({ uid: 'A-APP', type: 'APP_USER' }));
    const answer = async (uid: string, request: Partial<tokenService.AuthorizeOwnTokenRequest> = {}): Promise<AuthorizationInfo> => {
      const reply = await rpc.authorizeOwn({ uid, ...request });
      const parsed = authorizationInfoSchema.safeParse(JSON.parse(reply.authorizationInfoJson));
      assert.ok(parsed.success, `a valid AuthorizationInfo for ${uid}`);
      return parsed.data;
    };
    const ok = await answer('a-ok', { party: ownParty, locationReferencesJson: JSON.stringify({ location_id: 'LOC1', evse_uids: ['EVSE1', 'EVSE2'] }) });
    assert.equal(ok.allowed, 'ALLOWED');
    assert.equal(ok.token.uid, 'A-OK');
    assert.deepEqual(ok.location, { location_id: 'LOC1', evse_uids: ['EVSE1', 'EVSE2'] }, 'the location is echoed');
    assert.ok(ok.authorization_reference && ok.authorization_reference.length <= 36, 'ok.authorization_reference && ok.authorization_reference.length <= 36');
    assert.equal(ok.info, undefined);
    assert.equal((await answer('A-BLOCKED')).allowed, 'BLOCKED');
    const expiredAnswer = await answer('A-EXPIRED');
    assert.equal(expiredAnswer.allowed, 'EXPIRED');
    assert.match(expiredAnswer.info?.text ?? '', /expired/);
    assert.equal((await answer('A-BROKE')).allowed, 'NO_CREDIT');
    assert.equal((await answer('A-ELSEWHERE')).allowed, 'NOT_ALLOWED');
    assert.equal((await answer('A-ELSEWHERE', { requester: { countryCode: 'be', partyId: 'cpo' } })).allowed, 'ALLOWED');
    assert.equal((await answer('A-APP', { type: 'APP_USER' })).allowed, 'ALLOWED');
    const references = new Set([ok.authorization_reference, expiredAnswer.authorization_reference]);
    assert.equal(references.size, 2, 'every decision has its own reference');

    await assert.rejects(rpc.authorizeOwn({ uid: 'A-APP' }), grpcError(status.NOT_FOUND, /unknown token/), 'type empty means RFID');
    await assert.rejects(rpc.authorizeOwn({ uid: 'NOBODY' }), grpcError(status.NOT_FOUND, /unknown token/));
    await assert.rejects(rpc.authorizeOwn({ uid: 'A-OK', party: { countryCode: 'BE', partyId: 'OTH' } }), grpcError(status.NOT_FOUND, /unknown token/), 'not one of our parties');
    // A partner's token is never answered to another partner, even when its party is named.
    await assert.rejects(rpc.authorizeOwn({ uid: 'P1' }), grpcError(status.NOT_FOUND, /unknown token/));
    await assert.rejects(rpc.authorizeOwn({ uid: 'P1', party: partnerParty }), grpcError(status.NOT_FOUND, /unknown token/));
    await assert.rejects(rpc.authorizeOwn({ uid: 'A-OK', locationReferencesJson: JSON.stringify({ location_id: 'LOC1', evse_uids: ['x'.repeat(37)] }) }), grpcError(status.INVALID_ARGUMENT, /location_references_json: evse_uids\[0\]/));
    await assert.rejects(rpc.authorizeOwn({ uid: 'A-OK', locationReferencesJson: '{' }), grpcError(status.INVALID_ARGUMENT, /location_references_json: not JSON/));
    await assert.rejects(rpc.authorizeOwn({ uid: '' }), grpcError(status.INVALID_ARGUMENT, /^uid: required/));

    const decisions = await rpc.decisions({ token: { party: ownParty, uid: 'A-ELSEWHERE', type: '' } });
    assert.deepEqual(decisions.decisions.map((decision) => decision.allowed), ['ALLOWED', 'NOT_ALLOWED'], 'newest first');
    assert.deepEqual([decisions.decisions[0]?.role, decisions.decisions[0]?.decidedBy, decisions.decisions[0]?.connectionId], ['EMSP', DecidedBy.DECIDED_BY_OWN_EMSP, 'cpo-conn']);
    const okDecision = (await rpc.decisions({ token: { party: ownParty, uid: 'A-OK', type: 'RFID' } })).decisions[0];
    assert.equal(okDecision?.authorizationReference, ok.authorization_reference);
    assert.deepEqual([okDecision?.locationId, okDecision?.evseUids], ['LOC1', ['EVSE1', 'EVSE2']]);
    // Written in batches off the answer's path: they reach the database shortly after.
    await waitFor('decisions to be written', async () => (await db.collection('decisions').countDocuments({ uid_type: 'A-ELSEWHERE*RFID' })) === 2, 5_000);
  });

  test("Authorize (our CPO) decides a partner's token by its whitelist, asking its eMSP through the gateway", async () => {
    for (const [uid, whitelist, valid] of [
      ['W-ALWAYS', 'ALWAYS', true],
      ['W-ALWAYS-OFF', 'ALWAYS', false],
      ['W-ALLOWED', 'ALLOWED', true],
      ['W-OFFLINE', 'ALLOWED_OFFLINE', true],
      ['W-NEVER', 'NEVER', true],
      ['W-NEVER-OFF', 'NEVER', false],
    ] as const) {
      await pushPartnerToken(partnerToken({ uid, whitelist, valid, last_updated: '2026-03-01T10:00:00Z' }));
    }
    const infoFor = (request: partnerService.AuthorizeTokenRequest, allowed: AuthorizationInfo['allowed'], extra: Partial<AuthorizationInfo> = {}) =>
      JSON.stringify({ allowed, token: partnerToken({ uid: request.tokenUid, whitelist: 'NEVER' }), ...extra });
    const answerWith = (allowed: AuthorizationInfo['allowed'], extra: Partial<AuthorizationInfo> = {}) => {
      gateway.state.delayMs = 0;
      gateway.state.respond = (request) => ({ answer: PartnerAnswer.PARTNER_ANSWER_ANSWERED, authorizationInfoJson: infoFor(request, allowed, extra), message: '', connectionId: 'conn-1' });
    };
    const failWith = (answer: partnerService.PartnerAnswer) => {
      gateway.state.delayMs = 0;
      gateway.state.respond = () => ({ answer, authorizationInfoJson: '', message: 'simulated', connectionId: answer === PartnerAnswer.PARTNER_ANSWER_NO_ENDPOINT ? '' : 'conn-1' });
    };
    const outcome = (reply: tokenService.AuthorizeResponse) => [reply.allowed, reply.decidedBy];
    const asked = () => gateway.state.requests.length;

    // ALWAYS: decided locally, the eMSP is never asked.
    answerWith('BLOCKED');
    const before = asked();
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'w-always' })), ['ALLOWED', DecidedBy.DECIDED_BY_LOCAL]);
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'W-ALWAYS-OFF' })), ['BLOCKED', DecidedBy.DECIDED_BY_LOCAL]);
    assert.equal(asked(), before, 'ALWAYS never calls the eMSP');

    // The eMSP answers: its decision, reference and EVSEs; it is asked what we know of the charge.
    answerWith('ALLOWED', { authorization_reference: 'EMSP-REF-1', location: { location_id: 'LOC9', evse_uids: ['EVSE2'] }, info: { language: 'en', text: 'Welcome' } });
    const byEmsp = await rpc.authorize({ uid: 'W-ALLOWED', locationId: 'LOC9', evseUids: ['EVSE1', 'EVSE2'] });
    assert.deepEqual(outcome(byEmsp), ['ALLOWED', DecidedBy.DECIDED_BY_EMSP]);
    assert.equal(byEmsp.authorizationReference, 'EMSP-REF-1');
    assert.deepEqual(byEmsp.allowedEvseUids, ['EVSE2']);
    assert.deepEqual(JSON.parse(byEmsp.infoJson), { language: 'en', text: 'Welcome' });
    assert.equal((JSON.parse(byEmsp.tokenJson) as Token).uid, 'W-ALLOWED');
    const request = gateway.state.requests.at(-1);
    assert.deepEqual(request?.tokenParty, partnerParty);
    assert.deepEqual([request?.tokenUid, request?.tokenType], ['W-ALLOWED', 'RFID']);
    assert.deepEqual(request?.requester, { countryCode: cpo.country_code, partyId: cpo.party_id }, 'our first CPO party asks');
    assert.deepEqual(JSON.parse(request?.locationReferencesJson ?? '{}'), { location_id: 'LOC9', evse_uids: ['EVSE1', 'EVSE2'] });
    assert.ok(request && request.timeoutMs > 0 && request.timeoutMs <= config.RTA_TIMEOUT_MS, `timeout_ms ${request?.timeoutMs}`);

    answerWith('NO_CREDIT');
    const noReference = await rpc.authorize({ uid: 'W-NEVER' });
    assert.deepEqual(outcome(noReference), ['NO_CREDIT', DecidedBy.DECIDED_BY_EMSP]);
    assert.ok(noReference.authorizationReference.length > 0 && noReference.authorizationReference.length <= 36, 'ours when the eMSP gave none');
    answerWith('ALLOWED');
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'W-NEVER-OFF' })), ['ALLOWED', DecidedBy.DECIDED_BY_EMSP], 'valid=false is still asked when the whitelist requires it');
    failWith(PartnerAnswer.PARTNER_ANSWER_UNKNOWN_TOKEN);
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'W-ALLOWED' })), ['NOT_ALLOWED', DecidedBy.DECIDED_BY_EMSP]);

    // The eMSP cannot answer: the whitelist decides.
    failWith(PartnerAnswer.PARTNER_ANSWER_UNREACHABLE);
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'W-ALLOWED' })), ['ALLOWED', DecidedBy.DECIDED_BY_FALLBACK]);
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'W-NEVER' })), ['NOT_ALLOWED', DecidedBy.DECIDED_BY_FALLBACK]);
    failWith(PartnerAnswer.PARTNER_ANSWER_NO_ENDPOINT);
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'W-NEVER' })), ['NOT_ALLOWED', DecidedBy.DECIDED_BY_FALLBACK]);
    gateway.state.respond = () => ({ answer: PartnerAnswer.PARTNER_ANSWER_ANSWERED, authorizationInfoJson: JSON.stringify({ allowed: 'MAYBE' }), message: '', connectionId: 'conn-1' });
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'W-ALLOWED' })), ['ALLOWED', DecidedBy.DECIDED_BY_FALLBACK], 'an unusable AuthorizationInfo is no answer');

    // An eMSP slower than RTA_TIMEOUT_MS: the deadline ends the wait.
    answerWith('BLOCKED');
    gateway.state.delayMs = 3_000;
    const started = Date.now();
    const late = await rpc.authorize({ uid: 'W-OFFLINE' });
    const waited = Date.now() - started;
    assert.deepEqual(outcome(late), ['ALLOWED', DecidedBy.DECIDED_BY_FALLBACK]);
    assert.ok(waited >= config.RTA_TIMEOUT_MS - 50 && waited < 2_500, `answered after ${waited} ms`);
    gateway.state.delayMs = 0;

    // A token nobody issued, and our own eMSP's token at our own charger.
    const before2 = asked();
    const unknown = await rpc.authorize({ uid: 'NOBODY' });
    assert.deepEqual([...outcome(unknown), unknown.authorizationReference, unknown.tokenJson], ['NOT_ALLOWED', DecidedBy.DECIDED_BY_UNKNOWN_TOKEN, '', '']);
    const own = await rpc.authorize({ uid: 'A-ELSEWHERE', cpo: { countryCode: cpo.country_code, partyId: cpo.party_id } });
    assert.deepEqual(outcome(own), ['NOT_ALLOWED', DecidedBy.DECIDED_BY_OWN_EMSP], 'its account allows only BE*CPO');
    assert.deepEqual(outcome(await rpc.authorize({ uid: 'A-OK' })), ['ALLOWED', DecidedBy.DECIDED_BY_OWN_EMSP]);
    assert.equal(asked(), before2, 'neither asks a partner');

    // Bad input names the field.
    await assert.rejects(rpc.authorize({ uid: '' }), grpcError(status.INVALID_ARGUMENT, /^uid: required/));
    await assert.rejects(rpc.authorize({ uid: 'A-OK', type: 'BADGE' }), grpcError(status.INVALID_ARGUMENT, /^type:/));
    await assert.rejects(rpc.authorize({ uid: 'A-OK', cpo: { countryCode: 'BE', partyId: 'OTH' } }), grpcError(status.INVALID_ARGUMENT, /^cpo: BE\*OTH is not one of our CPO parties/));
    await assert.rejects(rpc.authorize({ uid: 'A-OK', locationId: 'L'.repeat(37) }), grpcError(status.INVALID_ARGUMENT, /^location_id:/));
    await assert.rejects(rpc.authorize({ uid: 'A-OK', evseUids: ['E1'] }), grpcError(status.INVALID_ARGUMENT, /^location_id: required/));

    // The audit log, newest first: one decision per answer, with how it was reached.
    const log = await rpc.decisions({ token: { party: partnerParty, uid: 'W-ALLOWED', type: '' } });
    assert.deepEqual(
      log.decisions.map((decision) => [decision.allowed, decision.decidedBy, decision.role]),
      [
        ['ALLOWED', DecidedBy.DECIDED_BY_FALLBACK, 'CPO'],
        ['ALLOWED', DecidedBy.DECIDED_BY_FALLBACK, 'CPO'],
        ['NOT_ALLOWED', DecidedBy.DECIDED_BY_EMSP, 'CPO'],
        ['ALLOWED', DecidedBy.DECIDED_BY_EMSP, 'CPO'],
      ],
    );
    assert.equal(log.decisions.at(-1)?.authorizationReference, 'EMSP-REF-1');
    assert.deepEqual([log.decisions.at(-1)?.locationId, log.decisions.at(-1)?.connectionId], ['LOC9', 'conn-1']);
    assert.equal((await rpc.decisions({ token: { party: partnerParty, uid: 'W-ALLOWED', type: '' }, limit: 1 })).decisions.length, 1);
    const unknownLog = await rpc.decisions({ token: { party: undefined, uid: 'NOBODY', type: '' } });
    assert.deepEqual(unknownLog.decisions.map((decision) => [decision.decidedBy, decision.token?.party]), [[DecidedBy.DECIDED_BY_UNKNOWN_TOKEN, undefined]]);
    await assert.rejects(rpc.decisions({}), grpcError(status.INVALID_ARGUMENT, /^token: required/));
  });

  test('a change whose event never reached Kafka is republished', async () => {
    const key = keyOf(emsp, 'L0');
    // As if the process died between saving and publishing.
    await db.collection('tokens').updateOne({ _id: key as never }, { $set: { unpublished: true, saved_at: new Date(Date.now() - 60_000) } });
    const before = changes.events.length;
    await changes.next((candidate) => changes.events.indexOf(candidate) >= before && candidate.key === key, 5_000);
    await waitFor('the publish marker to clear', async () => (await db.collection('tokens').findOne({ _id: key as never }))?.['unpublished'] === false, 5_000);
  });

  test("a second replica's cache follows the first one's writes, even a token it had found unknown", async () => {
    const replicaConfig = { ...config, TOKEN_CACHE_UNKNOWN_TTL_MS: 600_000 };
    const replica = await startServiceInProcess('authorization-replica', (deps) => buildAuthorization(replicaConfig, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS, dropDatabase: false });
    const replicaClient = new tokenService.TokenServiceClient(replica.address, credentials.createInsecure());
    try {
      assert.equal((await rpc.authorize({ uid: 'R-NEW' }, replicaClient)).decidedBy, DecidedBy.DECIDED_BY_UNKNOWN_TOKEN, 'now remembered as unknown for 10 minutes');
      await rpc.issue(ownToken({ uid: 'R-NEW' }));
      await waitFor('the replica to know the new token', async () => (await rpc.authorize({ uid: 'R-NEW' }, replicaClient)).allowed === 'ALLOWED', 10_000);
      await rpc.block(ownParty, 'R-NEW');
      await waitFor('the replica to see it blocked', async () => (await rpc.authorize({ uid: 'R-NEW' }, replicaClient)).allowed === 'BLOCKED', 10_000);
    } finally {
      replicaClient.close();
      await replica.stop();
    }
  });
});
