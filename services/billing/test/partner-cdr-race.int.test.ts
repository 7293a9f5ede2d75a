import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import type { Cdr } from '@voltmesh/ocpi';
import { billingService } from '@voltmesh/proto';
import { aCdr, aChargingPeriod, aTariff, grpcCall, startServiceInProcess, testInfra, waitFor, type InProcessService } from '@voltmesh/testing';
import { CdrStore } from '../src/adapters/cdr-store.js';
import { ReconciliationStore } from '../src/adapters/reconciliation-store.js';
import { TariffClient } from '../src/adapters/tariff-client.js';
import { buildBilling } from '../src/app.js';
import { CdrViews } from '../src/application/cdr-views.js';
import { CdrWriter } from '../src/application/cdr-writer.js';
import { receivePartnerCdr } from '../src/application/receive-partner-cdr.js';
import { Reconciler } from '../src/application/reconciler.js';
import type { CdrRecord } from '../src/domain/cdr-record.js';
import { loadBillingConfig, tolerancesOf, type BillingConfig } from '../src/config.js';
import { startTariffStub, type TariffStub } from './stubs.js';

const infra = testInfra();

/**
 * Several gateway replicas (or one partner retrying before its first POST was answered) can hand
 * billing the same CDR at once. Whoever loses the race must hear ALREADY_EXISTS, never INTERNAL
 * (which the gateway turns into an HTTP 500 the partner retries forever).
 */
describe('concurrent ReceivePartnerCdr of one CDR on real FerretDB', () => {
  let service: InProcessService | undefined;
  let replica: InProcessService | undefined;
  let clients: billingService.BillingServiceClient[] = [];
  let stub: TariffStub | undefined;
  let db: Db;
  let config: BillingConfig;

  const partyId = randomBytes(2).toString('hex').toUpperCase().slice(0, 3).replace(/^\d/, 'R');
  const partner = { country_code: 'BE', party_id: partyId };
  const partnerRef = { countryCode: 'BE', partyId };
  const tariff = aTariff({ ...partner, id: 'T-RACE' });
  const cdrOf = (id: string, overrides: Partial<Cdr> = {}) => aCdr({ ...partner, id, tariffs: [tariff], charging_periods: [aChargingPeriod({ tariff_id: 'T-RACE' })], ...overrides });
  const keyOf = (id: string) => `BE*${partyId}*${id}`;

  /** The gRPC outcome of one receipt: STORED, or the status name it failed with. */
  const receive = async (client: billingService.BillingServiceClient, body: string): Promise<string> => {
    try {
      await grpcCall<billingService.ReceivePartnerCdrRequest, billingService.ReceivePartnerCdrResponse>(client.receivePartnerCdr.bind(client), {
        connectionId: 'conn-race',
        cpo: partnerRef,
        ocpiJson: body,
        receivedAt: new Date().toISOString(),
      });
      return 'STORED';
    } catch (error) {
      const code = (error as ServiceError).code;
      return `${status[code] ?? code}: ${(error as ServiceError).details}`;
    }
  };

  /** `bodies` POSTed at once, spread over both replicas; asserts one STORED and the rest ALREADY_EXISTS. */
  const race = async (id: string, bodies: string[]): Promise<void> => {
    const outcomes = await Promise.all(bodies.map((body, index) => receive(clients[index % clients.length]!, body)));
    assert.equal(outcomes.filter((outcome) => outcome === 'STORED').length, 1, `exactly one receipt of ${id} stored it: ${outcomes.join(' | ')}`);
    const others = outcomes.filter((outcome) => outcome !== 'STORED');
    assert.ok(
      others.every((outcome) => outcome.startsWith('ALREADY_EXISTS: ')),
      `every other receipt of ${id} is ALREADY_EXISTS (none INTERNAL): ${outcomes.join(' | ')}`,
    );
    const stored = await db.collection<{ _id: string; ocpi_json: string }>('cdrs').find({ _id: keyOf(id) }).toArray();
    assert.equal(stored.length, 1, `one document for ${id}`);
    assert.ok(bodies.includes(stored[0]!.ocpi_json), `${id} is stored exactly as one of the receipts sent it`);
  };

  before(async () => {
    stub = await startTariffStub();
    stub.hold(tariff);
    config = loadBillingConfig({
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: infra.unique('billing_race'),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      TARIFFS_GRPC_ADDRESS: stub.address,
      SWEEP_INTERVAL_MS: '300',
      RECONCILIATION_RETRY_MS: '300',
    });
    const infraOf = { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS };
    service = await startServiceInProcess('billing-race', (deps) => buildBilling(config, deps), infraOf);
    // A second replica on the same database: the race is between processes, not only requests.
    replica = await startServiceInProcess('billing-race-replica', (deps) => buildBilling(config, deps), { ...infraOf, dropDatabase: false });
    db = service.db;
    clients = [service, replica].map((instance) => new billingService.BillingServiceClient(instance.address, credentials.createInsecure()));
  });

  after(async () => {
    for (const client of clients) client.close();
    await replica?.stop();
    await service?.stop();
    await stub?.server.stop();
  });

  test('the same CDR received 6 times at once: one STORED, five ALREADY_EXISTS, never INTERNAL (5 rounds)', async () => {
    const ids: string[] = [];
    for (let round = 1; round <= 5; round += 1) {
      const id = `RACE-SAME-${round}`;
      ids.push(id);
      const body = JSON.stringify(cdrOf(id));
      await race(id, Array.from({ length: 6 }, () => body));
    }
    // Every raced CDR is reconciled once and nothing stays due: a loser's late schedule is swept away.
    await waitFor(
      'every raced CDR reconciled and none left due',
      async () =>
        (await db.collection('reconciliations').countDocuments({ _id: { $in: ids.map(keyOf) } } as object)) === ids.length &&
        (await db.collection('reconciliation_due').countDocuments({ _id: { $in: ids.map(keyOf) } } as object)) === 0,
      15_000,
    );
  });

  test('one CDR id with different content received at once: one STORED, the others ALREADY_EXISTS, never INTERNAL (4 rounds)', async () => {
    for (let round = 1; round <= 4; round += 1) {
      const id = `RACE-DIFF-${round}`;
      const bodies = [2.5, 3, 4, 5.5].map((excl) => JSON.stringify(cdrOf(id, { total_cost: { excl_vat: excl, incl_vat: excl }, total_energy_cost: { excl_vat: excl, incl_vat: excl } })));
      await race(id, bodies);
    }
  });

  test('a crash right after the CDR is stored, before it is reconciled: the sweeper still reconciles it', async () => {
    const id = 'CRASH-AFTER-INSERT';
    assert.ok(service && stub, 'billing and the tariffs stub run');
    const store = new CdrStore(db);
    const reconciliations = new ReconciliationStore(db);
    const views = new CdrViews(reconciliations);
    /** Stores the CDR, then the process "dies": nothing after the insert runs. */
    class CrashAfterInsert extends CdrWriter {
      override async insert(records: readonly CdrRecord[]): Promise<CdrRecord[]> {
        await super.insert(records);
        throw new Error('process died after the insert (test)');
      }
    }
    const pricing = new TariffClient(stub.address, 5_000);
    const reconciler = new Reconciler(store, reconciliations, pricing, { tolerances: tolerancesOf(config), retryMs: config.RECONCILIATION_RETRY_MS }, service.logger);
    const deps = { store, writer: new CrashAfterInsert(store, service.publisher, views, service.logger), reconciler, views, logger: service.logger };
    const request = billingService.ReceivePartnerCdrRequest.fromPartial({ connectionId: 'conn-race', cpo: partnerRef, ocpiJson: JSON.stringify(cdrOf(id)) });
    await assert.rejects(receivePartnerCdr(deps, request), /process died/);
    pricing.close();
    assert.equal(await db.collection('cdrs').countDocuments({ _id: keyOf(id) } as object), 1, 'the CDR is stored');
    assert.equal(await db.collection('reconciliations').countDocuments({ _id: keyOf(id) } as object), 0, 'and not reconciled by the receipt');
    await waitFor(
      "the running replicas' sweeper to reconcile it",
      async () =>
        (await db.collection('reconciliations').countDocuments({ _id: keyOf(id) } as object)) === 1 &&
        (await db.collection('reconciliation_due').countDocuments({ _id: keyOf(id) } as object)) === 0,
      15_000,
    );
  });
});
