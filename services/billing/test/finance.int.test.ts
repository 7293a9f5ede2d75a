import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import { EventPublisher, Topics } from '@voltmesh/kafka';
import type { Cdr } from '@voltmesh/ocpi';
import { billingService, financeService, partners, sessions } from '@voltmesh/proto';
import { aCdr, aCdrLocation, aCdrToken, aChargingPeriod, aSession, aTariff, grpcCall, grpcError, startServiceInProcess, testInfra, waitFor, type InProcessService } from '@voltmesh/testing';
import { buildBilling } from '../src/app.js';
import { loadBillingConfig } from '../src/config.js';
import { parseCsv, unguarded } from '../src/domain/csv.js';
import { startPartnerStub, startTariffStub, type PartnerStub, type TariffStub } from './stubs.js';

const infra = testInfra();
const call = grpcCall;
const { CsvKind } = financeService;

/**
 * FinanceService on real Kafka and FerretDB: CDRs enter through the real paths (SessionChanged
 * events for the ones our CPO issues, ReceivePartnerCdr for partners', IssueCreditCdr for a
 * credit), then invoices, settlement and the CSV exports are read back. Its own database, and a
 * period in 2031 that no other test writes to, so every figure below is exact.
 */
describe('FinanceService on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let db: Db;
  let publisher: EventPublisher;
  let billing: billingService.BillingServiceClient;
  let finance: financeService.FinanceServiceClient;
  let tariffs: TariffStub;
  let gateway: PartnerStub;

  // Parties unique to this run (the sessions topic is shared with the other billing tests).
  const code = () => randomBytes(2).toString('hex').toUpperCase().slice(0, 3).replace(/^\d/, 'Q');
  const ourCpo = { country_code: 'NL', party_id: code() };
  const ourEmsp = { country_code: 'NL', party_id: code() };
  const partnerCpo = { country_code: 'DE', party_id: code() };
  const partnerEmsp = { country_code: 'DE', party_id: code() };
  const strayEmsp = { country_code: 'BE', party_id: code() };
  const ref = (party: { country_code: string; party_id: string }) => ({ countryCode: party.country_code, partyId: party.party_id });
  const text = (party: { country_code: string; party_id: string }) => `${party.country_code}*${party.party_id}`;
  const connectionId = `conn-fin-${randomBytes(3).toString('hex')}`;
  const OURS = `NL-${ourEmsp.party_id}-C0001`;
  const THEIRS = `DE-${partnerEmsp.party_id}-C0002`;
  const PERIOD = { periodStart: '2031-03-01T00:00:00Z', periodEnd: '2031-04-01T00:00:00Z' };
  const run = Date.now().toString(36).toUpperCase();
  const sessionId = (name: string) => `${name}-${run}`;

  const rpc = {
    invoices: (request: Partial<financeService.GetInvoicesRequest>) =>
      call<financeService.GetInvoicesRequest, financeService.GetInvoicesResponse>(finance.getInvoices.bind(finance), financeService.GetInvoicesRequest.fromPartial(request)),
    settlement: (request: financeService.DeepPartial<financeService.GetSettlementRequest>) =>
      call<financeService.GetSettlementRequest, financeService.GetSettlementResponse>(finance.getSettlement.bind(finance), financeService.GetSettlementRequest.fromPartial(request)),
    receive: (cdr: Cdr) =>
      call<billingService.ReceivePartnerCdrRequest, billingService.ReceivePartnerCdrResponse>(billing.receivePartnerCdr.bind(billing), {
        connectionId,
        cpo: ref(partnerCpo),
        ocpiJson: JSON.stringify(cdr),
        receivedAt: new Date().toISOString(),
      }),
    credit: (id: string) =>
      call<billingService.IssueCreditCdrRequest, billingService.IssueCreditCdrResponse>(billing.issueCreditCdr.bind(billing), { cpo: ref(ourCpo), cdrId: id, reason: 'meter fault' }),
    getCdr: (party: { country_code: string; party_id: string }, id: string) =>
      call<billingService.GetCdrRequest, billingService.GetCdrResponse>(billing.getCdr.bind(billing), billingService.GetCdrRequest.fromPartial({ cpo: ref(party), id })),
  };

  /** ExportCsv: every chunk, or the status it failed with. */
  const exportCsv = (request: Partial<financeService.ExportCsvRequest>) =>
    new Promise<string[]>((resolve, reject) => {
      const chunks: string[] = [];
      const stream = finance.exportCsv(financeService.ExportCsvRequest.fromPartial(request));
      stream.on('data', (chunk: financeService.ExportCsvResponse) => chunks.push(chunk.text));
      stream.on('error', (error: ServiceError) => reject(error));
      stream.on('end', () => resolve(chunks));
    });

  /** A COMPLETED session of our CPO, `hours` long, ending at `end`, charged `kwh` (the stub prices €0.25/kWh + 21% VAT). */
  const publishSession = async (name: string, end: string, kwh: number, token: { party: { country_code: string; party_id: string }; contract: string }) => {
    const id = sessionId(name);
    const start = new Date(Date.parse(end) - 3_600_000).toISOString();
    const session = aSession({
      ...ourCpo,
      id,
      status: 'COMPLETED',
      start_date_time: start,
      end_date_time: end,
      kwh,
      cdr_token: aCdrToken({ ...token.party, contract_id: token.contract }),
      charging_periods: [aChargingPeriod({ start_date_time: start, tariff_id: 'T-OWN', dimensions: [{ type: 'ENERGY', volume: kwh }, { type: 'TIME', volume: 1 }] })],
    });
    await publisher.publish({
      topic: Topics.session,
      key: `${text(ourCpo)}*${id}`,
      type: 'voltmesh.sessions.v1.SessionChanged',
      value: sessions.SessionChanged.encode({
        session: sessions.Session.fromPartial({
          role: sessions.SessionRole.SESSION_ROLE_CPO,
          ocpiJson: JSON.stringify(session),
          revision: '3',
          updatedAt: new Date().toISOString(),
          cpo: ref(ourCpo),
          id,
          emsp: ref(token.party),
          contractId: token.contract,
          status: 'COMPLETED',
          cdrLocationJson: JSON.stringify(aCdrLocation({ id: 'LOC-OWN', evse_id: `${text(ourCpo)}*E1` })),
          tariffJson: JSON.stringify(aTariff({ ...ourCpo, id: 'T-OWN' })),
          timeZone: 'Europe/Amsterdam',
          periodCount: 1,
        }),
      }).finish(),
    });
    return id;
  };

  /** A CDR partner CPO sends our eMSP for our driver's contract, ending at `end`, 10 kWh. */
  const partnerCdr = (id: string, end: string, overrides: Partial<Cdr> = {}): Cdr => {
    const start = new Date(Date.parse(end) - 3_600_000).toISOString();
    const tariffId = overrides.currency === 'CHF' ? 'T-P-CHF' : 'T-P';
    return aCdr({
      ...partnerCpo,
      id,
      session_id: `PS-${id}`,
      start_date_time: start,
      end_date_time: end,
      cdr_token: aCdrToken({ ...ourEmsp, contract_id: OURS }),
      cdr_location: aCdrLocation({ id: 'LOC-P', evse_id: `${text(partnerCpo)}*E7` }),
      tariffs: [aTariff({ ...partnerCpo, id: tariffId, currency: overrides.currency ?? 'EUR' })],
      charging_periods: [aChargingPeriod({ start_date_time: start, tariff_id: tariffId })],
      last_updated: end,
      ...overrides,
    });
  };

  const ids = {
    start: '',
    own: '',
    atEnd: '',
    partnerDriver: '',
    sameContract: '',
    stray: '',
  };

  before(async () => {
    tariffs = await startTariffStub();
    tariffs.hold(aTariff({ ...partnerCpo, id: 'T-P' }));
    tariffs.hold(aTariff({ ...partnerCpo, id: 'T-P-CHF', currency: 'CHF' }));
    gateway = await startPartnerStub([
      partners.PartnerConnection.fromPartial({
        id: connectionId,
        state: partners.ConnectionState.CONNECTION_STATE_REGISTERED,
        createdAt: '2030-01-01T00:00:00.000Z',
        roles: [
          { role: 'CPO', party: ref(partnerCpo), businessName: 'Partner CPO' },
          { role: 'EMSP', party: ref(partnerEmsp), businessName: 'Partner eMSP' },
        ],
      }),
      partners.PartnerConnection.fromPartial({ id: 'conn-elsewhere', state: partners.ConnectionState.CONNECTION_STATE_REGISTERED, roles: [{ role: 'EMSP', party: { countryCode: 'PT', partyId: 'OTH' } }] }),
    ]);
    const config = loadBillingConfig({
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: infra.unique('billing_finance'),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      TARIFFS_GRPC_ADDRESS: tariffs.address,
      GATEWAY_GRPC_ADDRESS: gateway.address,
      OWN_PARTIES: `CPO:${text(ourCpo)},EMSP:${text(ourEmsp)}`,
      // Small, so a few CDRs already take several scan batches and CSV chunks.
      FINANCE_SCAN_BATCH: '2',
      FINANCE_CSV_CHUNK_BYTES: '256',
    });
    service = await startServiceInProcess('billing-finance-test', (deps) => buildBilling(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ db, publisher } = service);
    billing = new billingService.BillingServiceClient(service.address, credentials.createInsecure());
    finance = new financeService.FinanceServiceClient(service.address, credentials.createInsecure());

    const ourDriver = { party: ourEmsp, contract: OURS };
    ids.start = await publishSession('START', '2031-03-01T00:00:00.000Z', 4, ourDriver); // on the start: in
    ids.own = await publishSession('OWN', '2031-03-10T11:00:00.000Z', 10, ourDriver);
    ids.atEnd = await publishSession('ATEND', '2031-04-01T00:00:00.000Z', 6, ourDriver); // on the end: out
    ids.partnerDriver = await publishSession('THEIRS', '2031-03-12T08:00:00.000Z', 20, { party: partnerEmsp, contract: THEIRS });
    ids.sameContract = await publishSession('SAME', '2031-03-13T08:00:00.000Z', 2, { party: partnerEmsp, contract: OURS });
    ids.stray = await publishSession('STRAY', '2031-03-15T08:00:00.000Z', 8, { party: strayEmsp, contract: 'BE-STR-C0003' });
    for (const id of Object.values(ids)) {
      await waitFor(`the CDR of session ${id}`, () => rpc.getCdr(ourCpo, id).then(() => true, () => false), 60_000);
    }
    assert.equal((await rpc.credit(ids.own)).created, true, 'credit issued');

    const matched = await rpc.receive(partnerCdr('P-EUR', '2031-03-05T09:00:00.000Z', { total_cost: { excl_vat: 2.5, incl_vat: 3.03 } }));
    assert.equal(matched.dispute, undefined, 'within the tolerance');
    const chf = await rpc.receive(partnerCdr('P-CHF', '2031-03-07T09:00:00.000Z', { currency: 'CHF' }));
    assert.equal(chf.dispute, undefined, 'CHF priced as charged');
    const dear = await rpc.receive(partnerCdr('P-DEAR', '2031-03-20T09:00:00.000Z', { total_cost: { excl_vat: 3, incl_vat: 3.63 }, total_energy_cost: { excl_vat: 3, incl_vat: 3.63 } }));
    assert.equal(dear.dispute?.differenceInclVat, '0.605', 'disputed: charged 3.63, expected 3.025');
    await rpc.receive(partnerCdr('P-LATE', '2031-04-01T00:00:00.001Z')); // after the period
  });

  after(async () => {
    billing.close();
    finance.close();
    await service.stop();
    await tariffs.server.stop();
    await gateway.server.stop();
  });

  const ownKey = (id: string) => `${text(ourCpo)}*${id}`;
  const partnerKey = (id: string) => `${text(partnerCpo)}*${id}`;

  test('GetInvoices: our driver\'s CDRs of both roles, a credit as a negative line, one invoice per currency, exact totals', async () => {
    const answer = await rpc.invoices({ contractId: OURS.toLowerCase(), ...PERIOD });
    assert.deepEqual(
      answer.invoices.map((invoice) => invoice.currency),
      ['CHF', 'EUR'],
    );
    const [chf, eur] = answer.invoices;
    assert.deepEqual(
      eur?.lines.map((line) => [line.cdrKey, line.endDateTime, line.energyKwh, line.exclVat, line.inclVat, line.credit, line.creditReferenceId]),
      [
        [ownKey(ids.start), '2031-03-01T00:00:00.000Z', '4.0000', '1.0000', '1.2100', false, ''],
        [partnerKey('P-EUR'), '2031-03-05T09:00:00.000Z', '10.0000', '2.5000', '3.0300', false, ''],
        [ownKey(ids.own), '2031-03-10T11:00:00.000Z', '10.0000', '2.5000', '3.0250', false, ''],
        [ownKey(`${ids.own}-C`), '2031-03-10T11:00:00.000Z', '-10.0000', '-2.5000', '-3.0250', true, ids.own],
        [partnerKey('P-DEAR'), '2031-03-20T09:00:00.000Z', '10.0000', '3.0000', '3.6300', false, ''],
      ],
      'the CDR on period_end, the partner eMSP driver with the same contract id and the later CDR are not on it',
    );
    assert.deepEqual([eur?.totalExclVat, eur?.totalInclVat, eur?.totalVat, eur?.totalEnergyKwh], ['6.5000', '7.8700', '1.3700', '24.0000']);
    assert.deepEqual([chf?.lines.map((line) => line.cdrKey), chf?.totalExclVat, chf?.totalInclVat, chf?.totalVat, chf?.totalEnergyKwh], [[partnerKey('P-CHF')], '2.5000', '3.0250', '0.5250', '10.0000']);
    const line = eur?.lines[1];
    assert.deepEqual(
      [line?.cdrId, line?.cpo, line?.sessionId, line?.locationId, line?.startDateTime],
      ['P-EUR', ref(partnerCpo), 'PS-P-EUR', 'LOC-P', '2031-03-05T08:00:00.000Z'],
    );
    assert.deepEqual([eur?.lines[2]?.locationId, eur?.lines[2]?.sessionId], ['LOC-OWN', ids.own]);
    assert.deepEqual([eur?.contractId, eur?.periodStart, eur?.periodEnd], [OURS, '2031-03-01T00:00:00.000Z', '2031-04-01T00:00:00.000Z']);
    assert.match(eur?.id ?? '', /^INV-[0-9A-F]{24}$/);
    assert.notEqual(eur?.id, chf?.id);

    const again = await rpc.invoices({ contractId: OURS, periodStart: '2031-03-01T01:00:00+01:00', periodEnd: '2031-04-01T00:00:00.000Z' });
    assert.deepEqual(
      Buffer.from(financeService.GetInvoicesResponse.encode(again).finish()),
      Buffer.from(financeService.GetInvoicesResponse.encode(answer).finish()),
      'the same period asked again (spelt differently): byte-identical',
    );
    assert.deepEqual((await rpc.invoices({ contractId: THEIRS, ...PERIOD })).invoices, [], 'a partner eMSP\'s contract is not ours to invoice');
  });

  test('GetSettlement: payable and receivable per currency with the partner connection, net, the open dispute; the stray eMSP as a party', async () => {
    const all = await rpc.settlement(PERIOD);
    const partnerParty = [partnerCpo, partnerEmsp].map(text).sort()[0];
    const shown = all.settlements.map((settlement) => ({
      with: `${settlement.connectionId}|${settlement.party ? `${settlement.party.countryCode}*${settlement.party.partyId}` : ''}`,
      open: settlement.openDisputes,
      amounts: settlement.amounts.map((a) => [a.currency, a.payableCdrs, a.payableExclVat, a.payableInclVat, a.receivableCdrs, a.receivableExclVat, a.receivableInclVat, a.netInclVat, a.disputedInclVat]),
    }));
    assert.deepEqual(shown, [
      { with: `|${text(strayEmsp)}`, open: 0, amounts: [['EUR', 0, '0.0000', '0.0000', 1, '2.0000', '2.4200', '2.4200', '0.0000']] },
      {
        with: `${connectionId}|${partnerParty}`,
        open: 1,
        amounts: [
          ['CHF', 1, '2.5000', '3.0250', 0, '0.0000', '0.0000', '-3.0250', '0.0000'],
          ['EUR', 2, '5.5000', '6.6600', 2, '5.5000', '6.6550', '-0.0050', '0.6050'],
        ],
      },
    ]);
    assert.ok(all.settlements.every((settlement) => settlement.periodStart === '2031-03-01T00:00:00.000Z' && settlement.periodEnd === '2031-04-01T00:00:00.000Z'), 'the period, normalised');

    const byConnection = await rpc.settlement({ connectionId, ...PERIOD });
    assert.deepEqual(byConnection.settlements, all.settlements.slice(1), 'one partner by its connection');
    const byEmspParty = await rpc.settlement({ party: ref(partnerEmsp), ...PERIOD });
    assert.deepEqual(byEmspParty.settlements, all.settlements.slice(1), 'a party of the connection selects it');
    const byStray = await rpc.settlement({ party: { countryCode: strayEmsp.country_code.toLowerCase(), partyId: strayEmsp.party_id }, ...PERIOD });
    assert.deepEqual(byStray.settlements, all.settlements.slice(0, 1));
    const known = await rpc.settlement({ connectionId: 'conn-elsewhere', ...PERIOD });
    assert.deepEqual(known.settlements.map((s) => [s.connectionId, s.party, s.amounts.length]), [['conn-elsewhere', { countryCode: 'PT', partyId: 'OTH' }, 0]], 'a listed connection without CDRs');
    await assert.rejects(rpc.settlement({ connectionId: 'conn-nobody', ...PERIOD }), grpcError(status.NOT_FOUND, /unknown connection conn-nobody/));
    const again = await rpc.settlement(PERIOD);
    assert.deepEqual(Buffer.from(financeService.GetSettlementResponse.encode(again).finish()), Buffer.from(financeService.GetSettlementResponse.encode(all).finish()), 'byte-identical');

    gateway.failures.next = 1;
    await assert.rejects(rpc.settlement(PERIOD), grpcError(status.UNAVAILABLE, /PartnerService.ListConnections failed/), 'no silent regrouping without the connections');
  });

  test('ExportCsv streams ≤ the chunk limit; INVOICE_LINES and SETTLEMENT parse back to the RPC answers; CDRS has every CDR of the period', async () => {
    const read = async (request: Partial<financeService.ExportCsvRequest>) => {
      const chunks = await exportCsv(request);
      assert.ok(chunks.length > 1, 'several chunks (limit 256 bytes in this test)');
      assert.ok(chunks.every((chunk) => Buffer.byteLength(chunk, 'utf8') <= 256), 'no chunk over the limit');
      const file = chunks.join('');
      assert.ok(file.endsWith('\r\n'), 'CRLF after the last record');
      const [header, ...rows] = parseCsv(file);
      return rows.map((row) => Object.fromEntries((header ?? []).map((name, index) => [name, row[index] ?? ''])));
    };

    const invoices = (await rpc.invoices({ contractId: OURS, ...PERIOD })).invoices;
    const lines = await read({ kind: CsvKind.CSV_KIND_INVOICE_LINES, contractId: OURS, ...PERIOD });
    assert.deepEqual(
      lines.map((row) => ({ ...row, credit_reference_id: unguarded(row['credit_reference_id'] ?? '') })),
      invoices.flatMap((invoice) =>
        invoice.lines.map((line) => ({
          invoice_id: invoice.id,
          contract_id: invoice.contractId,
          currency: invoice.currency,
          period_start: invoice.periodStart,
          period_end: invoice.periodEnd,
          cdr_key: line.cdrKey,
          cdr_id: line.cdrId,
          cpo_party: `${line.cpo?.countryCode}*${line.cpo?.partyId}`,
          session_id: line.sessionId,
          location_id: line.locationId,
          start_date_time: line.startDateTime,
          end_date_time: line.endDateTime,
          energy_kwh: line.energyKwh,
          excl_vat: line.exclVat,
          incl_vat: line.inclVat,
          credit: String(line.credit),
          credit_reference_id: line.creditReferenceId,
        })),
      ),
    );

    const settlements = (await rpc.settlement(PERIOD)).settlements;
    const amounts = await read({ kind: CsvKind.CSV_KIND_SETTLEMENT, ...PERIOD });
    assert.deepEqual(
      amounts,
      settlements.flatMap((settlement) =>
        settlement.amounts.map((amount) => ({
          connection_id: settlement.connectionId,
          party: settlement.party ? `${settlement.party.countryCode}*${settlement.party.partyId}` : '',
          period_start: settlement.periodStart,
          period_end: settlement.periodEnd,
          currency: amount.currency,
          payable_cdrs: String(amount.payableCdrs),
          payable_excl_vat: amount.payableExclVat,
          payable_incl_vat: amount.payableInclVat,
          receivable_cdrs: String(amount.receivableCdrs),
          receivable_excl_vat: amount.receivableExclVat,
          receivable_incl_vat: amount.receivableInclVat,
          net_incl_vat: amount.netInclVat,
          disputed_incl_vat: amount.disputedInclVat,
          open_disputes: amount.currency === 'EUR' && settlement.connectionId === connectionId ? '1' : '0',
        })),
      ),
    );
    const oneConnection = await read({ kind: CsvKind.CSV_KIND_SETTLEMENT, connectionId, ...PERIOD });
    assert.deepEqual(oneConnection.map((row) => row['currency']), ['CHF', 'EUR'], 'connection_id selects one partner');

    const cdrRows = await read({ kind: CsvKind.CSV_KIND_CDRS, ...PERIOD });
    assert.deepEqual(
      cdrRows.map((row) => `${row['role']} ${row['cpo_party']}*${row['cdr_id']}`),
      [
        `CPO ${ownKey(ids.start)}`,
        `EMSP ${partnerKey('P-EUR')}`,
        `EMSP ${partnerKey('P-CHF')}`,
        `CPO ${ownKey(ids.own)}`,
        `CPO ${ownKey(`${ids.own}-C`)}`,
        `CPO ${ownKey(ids.partnerDriver)}`,
        `CPO ${ownKey(ids.sameContract)}`,
        `CPO ${ownKey(ids.stray)}`,
        `EMSP ${partnerKey('P-DEAR')}`,
      ],
      'both roles, by end_date_time then key, nothing outside [start, end)',
    );
    assert.deepEqual(cdrRows.at(-1), {
      role: 'EMSP',
      cpo_party: text(partnerCpo),
      cdr_id: 'P-DEAR',
      session_id: 'PS-P-DEAR',
      contract_id: OURS,
      emsp_party: text(ourEmsp),
      start_date_time: '2031-03-20T08:00:00.000Z',
      end_date_time: '2031-03-20T09:00:00.000Z',
      energy_kwh: '10.0000',
      currency: 'EUR',
      excl_vat: '3.0000',
      incl_vat: '3.6300',
      credit: 'false',
      credit_reference_id: '',
      connection_id: connectionId,
    });
    assert.deepEqual(
      [cdrRows[4]?.['excl_vat'], cdrRows[4]?.['incl_vat'], cdrRows[4]?.['energy_kwh'], cdrRows[4]?.['credit'], cdrRows[4]?.['credit_reference_id']],
      ['-2.5000', '-3.0250', '10.0000', 'true', ids.own],
      'a credit CDR as stored: money negative, energy as stated',
    );
  });

  test('a CDR stored before end_date_time was kept beside it still counts (its end read from the OCPI JSON)', async () => {
    const stored = await db.collection('cdrs').findOne({ _id: ownKey(ids.stray) } as object);
    assert.ok(stored, 'the stray CDR is stored');
    const legacy: Record<string, unknown> = { ...stored };
    delete legacy['end_date_time'];
    const body = JSON.parse(String(legacy['ocpi_json'])) as Cdr;
    await db.collection('cdrs').insertOne({
      ...legacy,
      _id: ownKey('LEGACY-1'),
      cdr_id: 'LEGACY-1',
      ocpi_json: JSON.stringify({ ...body, id: 'LEGACY-1', end_date_time: '2031-05-10T08:00:00Z' }),
    } as object);
    const rows = parseCsv((await exportCsv({ kind: CsvKind.CSV_KIND_CDRS, periodStart: '2031-05-01T00:00:00Z', periodEnd: '2031-06-01T00:00:00Z' })).join(''));
    assert.deepEqual(rows.slice(1).map((row) => [row[2], row[7]]), [['LEGACY-1', '2031-05-10T08:00:00.000Z']]);
  });

  test('bad requests are INVALID_ARGUMENT naming the field, for every RPC, streams included', async () => {
    await assert.rejects(rpc.invoices({ contractId: OURS, periodEnd: PERIOD.periodEnd }), grpcError(status.INVALID_ARGUMENT, /^period_start: required/));
    await assert.rejects(rpc.invoices({ contractId: OURS, periodStart: PERIOD.periodStart, periodEnd: '2031-04-01' }), grpcError(status.INVALID_ARGUMENT, /^period_end: "2031-04-01" is not an RFC 3339 date-time/));
    await assert.rejects(rpc.invoices({ contractId: OURS, periodStart: PERIOD.periodStart, periodEnd: PERIOD.periodStart }), grpcError(status.INVALID_ARGUMENT, /^period_end: must be after period_start/));
    await assert.rejects(rpc.invoices({ contractId: OURS, periodStart: '2030-01-01T00:00:00Z', periodEnd: '2031-04-01T00:00:00Z' }), grpcError(status.INVALID_ARGUMENT, /^period_end: a period spans at most 366 days/));
    await assert.rejects(rpc.invoices({ ...PERIOD }), grpcError(status.INVALID_ARGUMENT, /^contract_id: required/));
    await assert.rejects(rpc.settlement({ periodStart: 'yesterday', periodEnd: PERIOD.periodEnd }), grpcError(status.INVALID_ARGUMENT, /^period_start: "yesterday"/));
    await assert.rejects(rpc.settlement({ party: { countryCode: 'DE' }, ...PERIOD }), grpcError(status.INVALID_ARGUMENT, /^party: /));
    await assert.rejects(exportCsv({ ...PERIOD }), grpcError(status.INVALID_ARGUMENT, /^kind: required/));
    await assert.rejects(exportCsv({ kind: CsvKind.CSV_KIND_INVOICE_LINES, ...PERIOD }), grpcError(status.INVALID_ARGUMENT, /^contract_id: required/));
    await assert.rejects(exportCsv({ kind: CsvKind.CSV_KIND_CDRS, periodStart: PERIOD.periodStart }), grpcError(status.INVALID_ARGUMENT, /^period_end: required/));
  });
});
