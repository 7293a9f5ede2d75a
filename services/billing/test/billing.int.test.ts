import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { credentials, status } from '@grpc/grpc-js';
import type { Admin } from 'kafkajs';
import type { Db } from 'mongodb';
import { ConsumerGroups, dlqTopicName, EventPublisher, Topics } from '@voltmesh/kafka';
import { cdrSchema, type Cdr, type Session } from '@voltmesh/ocpi';
import { billingService, cdrs, sessions } from '@voltmesh/proto';
import { aCdr, aCdrLocation, aCdrToken, aChargingPeriod, aSession, aTariff, collectEvents, grpcCall, grpcError, sleep, startServiceInProcess, testInfra, waitFor, type EventCollector, type InProcessService } from '@voltmesh/testing';
import { CdrStore } from '../src/adapters/cdr-store.js';
import { ReconciliationStore } from '../src/adapters/reconciliation-store.js';
import { TariffClient } from '../src/adapters/tariff-client.js';
import { buildBilling } from '../src/app.js';
import { CdrViews } from '../src/application/cdr-views.js';
import { CdrWriter } from '../src/application/cdr-writer.js';
import { SessionCdrIssuer } from '../src/application/issue-session-cdrs.js';
import { loadBillingConfig, type BillingConfig } from '../src/config.js';
import { startTariffStub, type TariffStub } from './stubs.js';

const infra = testInfra();
const call = grpcCall;
const { CDR_ROLE_CPO: CPO, CDR_ROLE_EMSP: EMSP } = cdrs.CdrRole;

describe('billing service on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let replica: InProcessService | undefined;
  let db: Db;
  let publisher: EventPublisher;
  let admin: Admin;
  let client: billingService.BillingServiceClient;
  let created: EventCollector;
  let refused: EventCollector;
  let stub: TariffStub;
  let config: BillingConfig;

  // Parties unique to this run: the topics are shared with the other tests of the run.
  const suffix = () => randomBytes(2).toString('hex').toUpperCase().slice(0, 3).replace(/^\d/, 'Q');
  const own = { country_code: 'NL', party_id: suffix() };
  const partner = { country_code: 'DE', party_id: suffix() };
  const ownRef = { countryCode: own.country_code, partyId: own.party_id };
  const partnerRef = { countryCode: partner.country_code, partyId: partner.party_id };
  const ownTariff = aTariff({ ...own, id: 'T-OWN' });
  const partnerTariff = aTariff({ ...partner, id: 'T-PARTNER' });
  let sessionCount = 0;
  const newSessionId = () => `S-${Date.now().toString(36)}-${(sessionCount += 1)}`.toUpperCase();

  const rpc = {
    receive: (cdr: unknown, connectionId = 'conn-partner', cpo = partnerRef) =>
      call<billingService.ReceivePartnerCdrRequest, billingService.ReceivePartnerCdrResponse>(client.receivePartnerCdr.bind(client), {
        connectionId,
        cpo,
        ocpiJson: typeof cdr === 'string' ? cdr : JSON.stringify(cdr),
        receivedAt: new Date().toISOString(),
      }),
    get: (role: cdrs.CdrRole, cpo: { countryCode: string; partyId: string }, id: string) => call<billingService.GetCdrRequest, billingService.GetCdrResponse>(client.getCdr.bind(client), { role, cpo, id }),
    list: (request: billingService.DeepPartial<billingService.ListCdrsRequest>) =>
      call<billingService.ListCdrsRequest, billingService.ListCdrsResponse>(client.listCdrs.bind(client), billingService.ListCdrsRequest.fromPartial(request)),
    credit: (id: string, reason = 'wrong tariff applied', cpo = ownRef) =>
      call<billingService.IssueCreditCdrRequest, billingService.IssueCreditCdrResponse>(client.issueCreditCdr.bind(client), { cpo, cdrId: id, reason }),
    disputes: (request: billingService.DeepPartial<billingService.ListDisputesRequest>) =>
      call<billingService.ListDisputesRequest, billingService.ListDisputesResponse>(client.listDisputes.bind(client), billingService.ListDisputesRequest.fromPartial(request)),
  };

  /** A COMPLETED (by default) session of our CPO as the sessions service publishes it. */
  const sessionEvent = (id: string, overrides: Partial<Session> = {}, fields: Partial<sessions.Session> = {}): sessions.Session => {
    const session = aSession({ ...own, id, status: 'COMPLETED', end_date_time: '2026-01-01T11:00:00.000Z', charging_periods: [aChargingPeriod({ tariff_id: 'T-OWN' })], ...overrides });
    return sessions.Session.fromPartial({
      role: sessions.SessionRole.SESSION_ROLE_CPO,
      ocpiJson: JSON.stringify(session),
      revision: '7',
      updatedAt: new Date().toISOString(),
      cpo: ownRef,
      id,
      emsp: { countryCode: 'DE', partyId: 'EMS' },
      contractId: session.cdr_token.contract_id,
      status: session.status,
      cdrLocationJson: JSON.stringify(aCdrLocation({ evse_id: `${own.country_code}*${own.party_id}*E1` })),
      tariffJson: JSON.stringify(ownTariff),
      timeZone: 'Europe/Amsterdam',
      periodCount: session.charging_periods.length,
      ...fields,
    });
  };
  const publishSession = (session: sessions.Session) =>
    publisher.publish({
      topic: Topics.session,
      key: `${own.country_code}*${own.party_id}*${session.id}`,
      type: 'voltmesh.sessions.v1.SessionChanged',
      value: sessions.SessionChanged.encode({ session }).finish(),
    });
  const cdrKeyOf = (party: { country_code: string; party_id: string }, id: string) => `${party.country_code}*${party.party_id}*${id}`.toUpperCase();
  const createdFor = (key: string) => created.events.filter((event) => event.key === key).map((event) => cdrs.CdrCreated.decode(event.value).cdr!);

  /** Waits until billing's group has consumed every session event published so far. */
  const sessionsConsumed = async () => {
    const ends = await admin.fetchTopicOffsets(Topics.session.name);
    await waitFor(
      'billing to consume every session event',
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: ConsumerGroups.billingSessions, topics: [Topics.session.name] });
        return ends.every((end) => end.high === '0' || committed?.partitions.find((partition) => partition.partition === end.partition)?.offset === end.high);
      },
      30_000,
    );
  };
  const outboxSize = () => db.collection('cdr_outbox').countDocuments();

  before(async () => {
    stub = await startTariffStub();
    stub.hold(partnerTariff);
    config = loadBillingConfig({
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: infra.unique('billing'),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      TARIFFS_GRPC_ADDRESS: stub.address,
      REPUBLISH_INTERVAL_MS: '400',
      SWEEP_INTERVAL_MS: '300',
      RECONCILIATION_RETRY_MS: '300',
      RECONCILIATION_TOLERANCE: '0.01',
      LIST_DEFAULT_LIMIT: '3',
      LIST_MAX_LIMIT: '5',
    });
    created = await collectEvents(infra.kafkaBrokers, Topics.cdr, infra.unique('collector'));
    refused = await collectEvents(infra.kafkaBrokers, { name: dlqTopicName(ConsumerGroups.billingSessions), partitions: 1, description: 'sessions billing refused' }, infra.unique('dlq-collector'));
    service = await startServiceInProcess('billing-test', (deps) => buildBilling(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ db, publisher } = service);
    admin = service.kafka.admin();
    await admin.connect();
    client = new billingService.BillingServiceClient(service.address, credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await admin.disconnect();
    await created.stop();
    await refused.stop();
    await replica?.stop();
    await service.stop();
    await stub.server.stop();
  });

  let firstCdrId = '';

  test('a COMPLETED session of our CPO becomes one priced CDR, stored and announced once, also when the event comes again', async () => {
    const id = newSessionId();
    const event = sessionEvent(id, { authorization_reference: 'AUTH-1', meter_id: 'M-1' });
    await publishSession(event);
    await publishSession(event);
    const key = cdrKeyOf(own, id);
    const announced = cdrs.CdrCreated.decode((await created.next((candidate) => candidate.key === key, 30_000)).value).cdr!;
    assert.equal(announced.role, CPO);
    assert.deepEqual([announced.id, announced.sessionId, announced.contractId, announced.currency], [id, id, 'DE-EMS-C12345678-X', 'EUR']);
    assert.deepEqual([announced.totalCostExclVat, announced.totalCostInclVat], ['2.5000', '3.0250'], '10 kWh × €0.25 + 21% VAT, the engine strings');
    assert.deepEqual(announced.emsp, { countryCode: 'DE', partyId: 'EMS' });
    const cdr = cdrSchema.parse(JSON.parse(announced.ocpiJson));
    assert.deepEqual([cdr.country_code, cdr.party_id, cdr.id, cdr.session_id, cdr.authorization_reference, cdr.meter_id], [own.country_code, own.party_id, id, id, 'AUTH-1', 'M-1']);
    assert.deepEqual(cdr.total_cost, { excl_vat: 2.5, incl_vat: 3.025 });
    assert.deepEqual([cdr.total_energy, cdr.total_time], [10, 1]);
    assert.deepEqual(cdr.tariffs.map((tariff) => tariff.id), ['T-OWN']);
    assert.equal(cdr.cdr_location.evse_id, `${own.country_code}*${own.party_id}*E1`);
    assert.equal(cdr.last_updated, announced.createdAt);
    const pricing = JSON.parse(announced.pricingJson) as { total_cost: unknown; breakdown: unknown[]; tariff: { source: string } };
    assert.deepEqual(pricing.total_cost, { excl_vat: '2.5000', incl_vat: '3.0250' });
    assert.equal(pricing.tariff.source, 'SNAPSHOT');
    assert.ok(pricing.breakdown.length > 0, 'the breakdown is kept');
    assert.ok(stub.calls.some((priced) => priced.source === 'inline' && priced.tariffId === 'T-OWN' && priced.timeZone === 'Europe/Amsterdam'), 'priced with the snapshot, in the location zone');

    await sessionsConsumed();
    await publishSession(event); // a replay after the CDR exists
    await sessionsConsumed();
    await sleep(3 * config.REPUBLISH_INTERVAL_MS);
    assert.equal(createdFor(key).length, 1, 'one CdrCreated for three events');
    assert.equal(await db.collection('cdrs').countDocuments({ _id: key } as object), 1);
    assert.equal(await outboxSize(), 0, 'replays leave nothing to republish');
    const read = await rpc.get(CPO, ownRef, id.toLowerCase());
    assert.equal(read.cdr?.ocpiJson, announced.ocpiJson, 'GetCdr answers the stored CDR (ids case-insensitive)');
    firstCdrId = id;
  });

  test('INVALID, ACTIVE and EMSP-role sessions make no CDR; a COMPLETED one that cannot make a CDR goes to the DLQ and the rest goes on', async () => {
    const invalid = newSessionId();
    const active = newSessionId();
    const partnerSession = newSessionId();
    const broken = newSessionId();
    const good = newSessionId();
    await publishSession(sessionEvent(invalid, { status: 'INVALID' }, { status: 'INVALID' }));
    await publishSession(sessionEvent(active, { status: 'ACTIVE', end_date_time: undefined }, { status: 'ACTIVE' }));
    await publishSession(sessionEvent(partnerSession, {}, { role: sessions.SessionRole.SESSION_ROLE_EMSP }));
    await publishSession(sessionEvent(broken, {}, { cdrLocationJson: '' }));
    await publishSession(sessionEvent(good));
    await created.next((event) => event.key === cdrKeyOf(own, good), 30_000);
    const dead = await refused.next((event) => event.key === `${own.country_code}*${own.party_id}*${broken}`, 30_000);
    assert.match(dead.headers['dlq-error'] ?? '', /cdr_location_json: required/);
    await sessionsConsumed();
    for (const id of [invalid, active, partnerSession, broken]) {
      await assert.rejects(rpc.get(CPO, ownRef, id), grpcError(status.NOT_FOUND, /unknown CDR/), `no CDR for ${id}`);
      assert.equal(createdFor(cdrKeyOf(own, id)).length, 0, `no CdrCreated for ${id}`);
    }
  });

  test('a session without a tariff is a CDR of 0 with no tariffs and a remark', async () => {
    const id = newSessionId();
    await publishSession(sessionEvent(id, { charging_periods: [aChargingPeriod({ tariff_id: undefined })] }, { tariffJson: '' }));
    const announced = cdrs.CdrCreated.decode((await created.next((event) => event.key === cdrKeyOf(own, id), 30_000)).value).cdr!;
    const cdr = cdrSchema.parse(JSON.parse(announced.ocpiJson));
    assert.deepEqual([cdr.total_cost, cdr.tariffs, cdr.remark, cdr.total_energy], [{ excl_vat: 0, incl_vat: 0 }, [], 'no tariff: charged nothing', 10]);
    assert.deepEqual([announced.totalCostExclVat, announced.pricingJson], ['0.0000', '']);
  });

  test('two replicas consuming, and two issuers racing on one session, still make one CDR and one CdrCreated each', async () => {
    replica = await startServiceInProcess('billing-test-replica', (deps) => buildBilling(config, deps), {
      mongoUrl: config.MONGO_URL,
      dbName: config.MONGO_DB,
      kafkaBrokers: config.KAFKA_BROKERS,
      dropDatabase: false,
    });
    const ids = Array.from({ length: 12 }, () => newSessionId());
    for (const id of ids) await publishSession(sessionEvent(id));
    for (const id of ids) await publishSession(sessionEvent(id, {}, { revision: '8' }));
    for (const id of ids) await created.next((event) => event.key === cdrKeyOf(own, id), 60_000);

    // A rebalance hands one batch to two members at once: both build and try to store the same CDR.
    const raced = newSessionId();
    const pricing = new TariffClient(stub.address, 5_000);
    const issuers = [service, replica].map((instance) => {
      const store = new CdrStore(instance.db);
      const writer = new CdrWriter(store, instance.publisher, new CdrViews(new ReconciliationStore(instance.db)), instance.logger);
      return new SessionCdrIssuer(pricing, store, writer, { pricingConcurrency: 4 });
    });
    const results = await Promise.all(issuers.map((issuer) => issuer.issue([sessionEvent(raced)])));
    pricing.close();
    assert.equal(results.reduce((count, result) => count + result.issued.length, 0), 1, 'exactly one issuer stored it');
    await created.next((event) => event.key === cdrKeyOf(own, raced), 30_000);

    await sessionsConsumed();
    await sleep(3 * config.REPUBLISH_INTERVAL_MS);
    for (const id of [...ids, raced]) assert.equal(createdFor(cdrKeyOf(own, id)).length, 1, `one CdrCreated for ${id}`);
    const stored = await rpc.list({ role: CPO, cpo: ownRef, page: { limit: 5 } });
    assert.ok((stored.page?.total ?? 0) >= ids.length + 1, 'all stored');
    assert.equal(await outboxSize(), 0);
  });

  test('a CDR whose CdrCreated was lost (crash between store and publish) is announced by the republisher', async () => {
    const id = newSessionId();
    const store = new CdrStore(db);
    /** Stores, never publishes: what a crash right after the insert leaves. */
    class CrashingWriter extends CdrWriter {
      override async publish(): Promise<void> {}
    }
    const pricing = new TariffClient(stub.address, 5_000);
    const issuer = new SessionCdrIssuer(pricing, store, new CrashingWriter(store, publisher, new CdrViews(new ReconciliationStore(db)), service.logger), { pricingConcurrency: 1 });
    const { issued } = await issuer.issue([sessionEvent(id)]);
    pricing.close();
    assert.equal(issued.length, 1);
    const announced = cdrs.CdrCreated.decode((await created.next((event) => event.key === cdrKeyOf(own, id), 15_000)).value).cdr!;
    assert.equal(announced.id, id);
    await sleep(3 * config.REPUBLISH_INTERVAL_MS);
    assert.equal(createdFor(cdrKeyOf(own, id)).length, 1);
  });

  test('a credit CDR negates the money, is stored and announced once; credits of credits, partners\' and unknown CDRs are refused', async () => {
    const first = await rpc.credit(firstCdrId, 'meter fault');
    assert.equal(first.created, true);
    const credit = first.cdr!;
    assert.deepEqual([credit.id, credit.credit, credit.creditReferenceId, credit.totalCostExclVat, credit.totalCostInclVat], [`${firstCdrId}-C`, true, firstCdrId, '-2.5000', '-3.0250']);
    const body = cdrSchema.parse(JSON.parse(credit.ocpiJson));
    assert.deepEqual([body.total_cost, body.total_energy_cost, body.total_energy, body.remark], [{ excl_vat: -2.5, incl_vat: -3.025 }, { excl_vat: -2.5, incl_vat: -3.025 }, 10, 'meter fault']);
    const again = await rpc.credit(firstCdrId, 'another reason');
    assert.equal(again.created, false);
    assert.equal(again.cdr?.ocpiJson, credit.ocpiJson, 'the stored credit, unchanged');
    await created.next((event) => event.key === cdrKeyOf(own, `${firstCdrId}-C`), 15_000);
    await sleep(3 * config.REPUBLISH_INTERVAL_MS);
    assert.equal(createdFor(cdrKeyOf(own, `${firstCdrId}-C`)).length, 1);

    await assert.rejects(rpc.credit(`${firstCdrId}-C`), grpcError(status.FAILED_PRECONDITION, /itself a credit CDR/));
    await assert.rejects(rpc.credit('NOPE'), grpcError(status.NOT_FOUND, /unknown CDR/));
    await assert.rejects(rpc.credit(firstCdrId, ''), grpcError(status.INVALID_ARGUMENT, /reason: required/));
    const received = aCdr({ ...partner, id: 'CDR-TO-CREDIT', tariffs: [partnerTariff], charging_periods: [aChargingPeriod({ tariff_id: 'T-PARTNER' })] });
    await rpc.receive(received);
    await assert.rejects(rpc.credit('CDR-TO-CREDIT', 'x', partnerRef), grpcError(status.FAILED_PRECONDITION, /received from a partner CPO/));
  });

  const partnerCdr = (id: string, overrides: Partial<Cdr> = {}) =>
    aCdr({ ...partner, id, tariffs: [partnerTariff], charging_periods: [aChargingPeriod({ tariff_id: 'T-PARTNER' })], cdr_token: aCdrToken({ country_code: 'NL', party_id: 'VLM', contract_id: 'NL-VLM-C0001' }), ...overrides });

  test('a partner CDR within the tolerance is stored, reconciled without dispute, announced; the same id again is ALREADY_EXISTS and changes nothing', async () => {
    const cdr = partnerCdr('P-MATCH', { total_cost: { excl_vat: 2.5, incl_vat: 3.03 } });
    const text = JSON.stringify(cdr);
    const answer = await rpc.receive(text);
    assert.equal(answer.dispute, undefined, '3.03 vs 3.025 is within 0.01');
    assert.equal(answer.cdr?.role, EMSP);
    assert.equal(answer.cdr?.ocpiJson, text, 'stored exactly as received');
    assert.deepEqual([answer.cdr?.totalCostExclVat, answer.cdr?.totalCostInclVat, answer.cdr?.connectionId], ['2.5', '3.03', 'conn-partner']);
    assert.deepEqual((JSON.parse(answer.cdr?.pricingJson ?? '{}') as { total_cost: unknown }).total_cost, { excl_vat: '2.5000', incl_vat: '3.0250' }, 'our breakdown');
    assert.ok(stub.calls.some((priced) => priced.source === 'stored' && priced.tariffId === 'T-PARTNER'), 'priced with the tariff we hold');
    const key = cdrKeyOf(partner, 'P-MATCH');
    const announced = cdrs.CdrCreated.decode((await created.next((event) => event.key === key, 15_000)).value);
    assert.equal(announced.cdr?.role, EMSP);

    const changed = JSON.stringify({ ...cdr, total_cost: { excl_vat: 99, incl_vat: 99 } });
    await assert.rejects(rpc.receive(changed), grpcError(status.ALREADY_EXISTS, /already received/));
    const read = await rpc.get(EMSP, partnerRef, 'P-MATCH');
    assert.equal(read.cdr?.ocpiJson, text, 'nothing changed');
    await assert.rejects(rpc.get(CPO, partnerRef, 'P-MATCH'), grpcError(status.NOT_FOUND, /unknown CDR/), 'not one of our CPO CDRs');
    const none = await rpc.disputes({ cpo: partnerRef });
    assert.equal(none.disputes.some((dispute) => dispute.cdrId === 'P-MATCH'), false);
    await sleep(2 * config.REPUBLISH_INTERVAL_MS);
    assert.equal(createdFor(key).length, 1);
  });

  test('a partner CDR beyond the tolerance, or under a tariff we do not hold, opens a dispute that ListDisputes lists', async () => {
    const beyond = await rpc.receive(partnerCdr('P-DEAR', { total_cost: { excl_vat: 3, incl_vat: 3.63 }, total_energy_cost: { excl_vat: 3, incl_vat: 3.63 } }));
    const dispute = beyond.dispute;
    assert.ok(dispute, 'a dispute');
    assert.deepEqual([dispute.id, dispute.cdrId, dispute.connectionId, dispute.currency, dispute.status], [cdrKeyOf(partner, 'P-DEAR'), 'P-DEAR', 'conn-partner', 'EUR', cdrs.DisputeStatus.DISPUTE_STATUS_OPEN]);
    assert.deepEqual([dispute.chargedInclVat, dispute.expectedInclVat, dispute.differenceInclVat], ['3.63', '3.025', '0.605']);
    const details = JSON.parse(dispute.detailsJson) as { charged: { total_cost: unknown }; expected: { total_cost: unknown }; breakdown: unknown[] };
    assert.deepEqual(details.charged.total_cost, { excl_vat: '3', incl_vat: '3.63' });
    assert.deepEqual(details.expected.total_cost, { excl_vat: '2.5000', incl_vat: '3.0250' });
    assert.ok(details.breakdown.length > 0, 'our breakdown');

    const unknown = await rpc.receive(partnerCdr('P-UNKNOWN', { tariffs: [aTariff({ ...partner, id: 'T-NOT-HELD' })], charging_periods: [aChargingPeriod({ tariff_id: 'T-NOT-HELD' })] }));
    assert.match(unknown.dispute?.reason ?? '', new RegExp(`tariff ${partner.country_code}\\*${partner.party_id}\\*T-NOT-HELD not held`));
    assert.equal(unknown.cdr?.pricingJson, '');

    const listed = await rpc.disputes({ cpo: partnerRef, status: cdrs.DisputeStatus.DISPUTE_STATUS_OPEN });
    assert.deepEqual(listed.disputes.map((candidate) => candidate.cdrId).sort(), ['P-DEAR', 'P-UNKNOWN']);
    assert.equal(listed.page?.total, 2);
    assert.equal((await rpc.disputes({ cpo: ownRef })).disputes.length, 0, 'filtered by CPO party');
    assert.equal((await rpc.disputes({ cpo: partnerRef, status: cdrs.DisputeStatus.DISPUTE_STATUS_RESOLVED })).disputes.length, 0, 'filtered by status');
  });

  test('with the tariffs service unreachable the partner CDR is still stored; it stays pending until the sweeper reconciles it', async () => {
    stub.failures.next = 2;
    const answer = await rpc.receive(partnerCdr('P-LATER', { total_cost: { excl_vat: 4, incl_vat: 4.84 }, total_energy_cost: { excl_vat: 4, incl_vat: 4.84 } }));
    assert.equal(answer.dispute, undefined, 'not reconciled yet');
    assert.equal(answer.cdr?.pricingJson, '');
    assert.equal(await db.collection('reconciliation_due').countDocuments({ _id: cdrKeyOf(partner, 'P-LATER') } as object), 1, 'marked pending');
    await waitFor('the sweeper to reconcile it', async () => (await rpc.disputes({ cpo: partnerRef })).disputes.some((dispute) => dispute.cdrId === 'P-LATER'), 15_000);
    const read = await rpc.get(EMSP, partnerRef, 'P-LATER');
    assert.ok(read.cdr?.pricingJson, 'our pricing once reconciled');
    assert.equal(await db.collection('reconciliation_due').countDocuments({ _id: cdrKeyOf(partner, 'P-LATER') } as object), 0);
  });

  test('bad partner input is INVALID_ARGUMENT naming the field', async () => {
    await assert.rejects(rpc.receive('{"id": 1}'), grpcError(status.INVALID_ARGUMENT, /ocpi_json: /));
    await assert.rejects(rpc.receive(partnerCdr('P-OTHER'), 'conn-partner', ownRef), grpcError(status.INVALID_ARGUMENT, /ocpi_json.country_code\/party_id/));
    await assert.rejects(rpc.receive(partnerCdr('P-NOCONN'), ''), grpcError(status.INVALID_ARGUMENT, /connection_id: required/));
    await assert.rejects(rpc.get(CPO, { countryCode: '', partyId: '' }, 'X'), grpcError(status.INVALID_ARGUMENT, /cpo and id/));
  });

  test('ListCdrs pages by created_at then key and filters by role, parties, contract, connection and dates', async () => {
    const emspCdrs = await rpc.list({ role: EMSP, cpo: partnerRef, page: { limit: 100 } });
    assert.equal(emspCdrs.page?.limit, 5, 'the limit is capped');
    const all = [];
    for (let offset = 0; ; offset += 2) {
      const page = await rpc.list({ role: EMSP, cpo: partnerRef, page: { offset, limit: 2 } });
      all.push(...page.cdrs);
      assert.equal(page.page?.total, 5, 'CDR-TO-CREDIT, P-MATCH, P-DEAR, P-UNKNOWN, P-LATER');
      if (page.cdrs.length < 2) break;
    }
    assert.deepEqual(all.map((cdr) => cdr.id), ['CDR-TO-CREDIT', 'P-MATCH', 'P-DEAR', 'P-UNKNOWN', 'P-LATER']);
    const order = all.map((cdr) => `${cdr.createdAt} ${cdr.cpo?.countryCode}*${cdr.cpo?.partyId}*${cdr.id}`);
    assert.deepEqual(order, [...order].sort(), 'ordered by created_at then key');
    assert.equal((await rpc.list({ role: EMSP, cpo: partnerRef })).cdrs.length, 3, 'the default limit');

    const match = all.find((cdr) => cdr.id === 'P-MATCH')!;
    const fromMatch = await rpc.list({ cpo: partnerRef, page: { dateFrom: match.createdAt, limit: 5 } });
    assert.equal(fromMatch.cdrs[0]?.id, 'P-MATCH', 'date_from is inclusive');
    const toMatch = await rpc.list({ cpo: partnerRef, page: { dateTo: match.createdAt, limit: 5 } });
    assert.deepEqual(toMatch.cdrs.map((cdr) => cdr.id), ['CDR-TO-CREDIT'], 'date_to is exclusive');

    assert.equal((await rpc.list({ contractId: 'nl-vlm-c0001', page: { limit: 5 } })).page?.total, 4, 'contract (case-insensitive)');
    assert.equal((await rpc.list({ emsp: { countryCode: 'NL', partyId: 'VLM' }, cpo: partnerRef, page: { limit: 5 } })).page?.total, 4, 'eMSP party of the token');
    assert.equal((await rpc.list({ connectionId: 'conn-partner', page: { limit: 5 } })).page?.total, 5, 'connection');
    assert.equal((await rpc.list({ connectionId: 'conn-other', page: { limit: 5 } })).page?.total, 0);
    const ours = await rpc.list({ role: CPO, cpo: ownRef, page: { limit: 5 } });
    assert.ok(ours.cdrs.every((cdr) => cdr.role === CPO && cdr.cpo?.partyId === own.party_id), 'role and CPO filters');
    await assert.rejects(rpc.list({ page: { dateFrom: 'yesterday' } }), grpcError(status.INVALID_ARGUMENT, /page.date_from/));
  });
});

