import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { z } from 'zod';
import { cdrSchema, chargingPeriodSchema, ocpiDateTime, priceSchema, tariffSchema, type Cdr, type Tariff } from '@voltmesh/ocpi';
import { billingService, cdrs, financeService, locationService, sessionService, tariffService, tokenService } from '@voltmesh/proto';
import { aCdr, aCdrLocation, aCdrToken, aConnector, aLocation, aToken, anEvse, sleep, startSimPartner, type SimPartner } from '@voltmesh/testing';
import { connectPartner, eventually, startTestMesh, type Envelope, type RunningMesh } from '../e2e/mesh-fixture.js';

/** The golden cases: an OCPI tariff and the CDRs a reference pricer agrees with (../shared/ocpi/tariff-cases). */
const CASES_DIR = join(import.meta.dirname, '../../../shared/ocpi/tariff-cases');
const goldenCases = readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) =>
    readdirSync(join(CASES_DIR, entry.name))
      .filter((file) => file.startsWith('cdr') && file.endsWith('.json'))
      .map((file) => ({
        name: `${entry.name}/${file}`,
        tariff: JSON.parse(readFileSync(join(CASES_DIR, entry.name, 'tariff.json'), 'utf8')) as Record<string, unknown> & { min_price?: Price; max_price?: Price },
        cdr: JSON.parse(readFileSync(join(CASES_DIR, entry.name, file), 'utf8')) as Record<string, unknown>,
      })),
  )
  .sort((a, b) => a.name.localeCompare(b.name));

/** What a golden CDR holds: the pricing fields only (no parties, token or location). */
const goldenCdrSchema = z.object({
  start_date_time: ocpiDateTime,
  end_date_time: ocpiDateTime,
  charging_periods: z.array(chargingPeriodSchema),
  total_cost: priceSchema,
  total_fixed_cost: priceSchema.optional(),
  total_energy_cost: priceSchema.optional(),
  total_time_cost: priceSchema.optional(),
  total_parking_cost: priceSchema.optional(),
  total_reservation_cost: priceSchema.optional(),
  total_energy: z.number(),
  total_time: z.number(),
  total_parking_time: z.number().optional(),
});
type GoldenCdr = z.output<typeof goldenCdrSchema>;
type Price = z.output<typeof priceSchema>;

/**
 * The total a golden CDR bills: the reference pricer states total_cost as the plain sum of the
 * parts, without the tariff's min_price/max_price (see the tariffs golden test); we bill them.
 */
function billedTotal(stated: Price, tariff: { min_price?: Price; max_price?: Price }): Price {
  const side = (pick: (price: Price) => number | undefined): number | undefined => {
    const value = pick(stated);
    if (value === undefined) return undefined;
    const min = tariff.min_price ? pick(tariff.min_price) : undefined;
    const max = tariff.max_price ? pick(tariff.max_price) : undefined;
    if (min !== undefined && value < min) return min;
    if (max !== undefined && value > max) return max;
    return value;
  };
  const inclVat = side((price) => price.incl_vat);
  return { excl_vat: side((price) => price.excl_vat) ?? stated.excl_vat, ...(inclVat !== undefined ? { incl_vat: inclVat } : {}) };
}

/** Money and volumes compared in ten-thousandths: exact to the cent and beyond. */
const units = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.round(value * 10_000));
const COST_FIELDS = ['total_cost', 'total_fixed_cost', 'total_energy_cost', 'total_time_cost', 'total_parking_cost', 'total_reservation_cost'] as const;
const dec = (value: string): number => Math.round(Number(value) * 10_000);

const OUR_CPO = { countryCode: 'NL', partyId: 'VLT' };
const DAY = { start: '2022-01-13T00:00:00Z', end: '2022-01-14T00:00:00Z' };

/**
 * A day of the network, end to end on real Kafka and FerretDB: our CSMS charges every golden
 * case's session at our chargers (tokens of a partner eMSP and of our own drivers), a partner
 * CPO charges one of our drivers, and then: every CDR is priced to the cent as the reference
 * pricer says, the partner eMSP receives its CDRs once each, our driver's invoice holds both
 * sides' CDRs, and the settlement with each partner says what is owed, both ways.
 */
describe('a full day of the network: sessions → CDRs → invoices and settlement', () => {
  let mesh: RunningMesh;
  let emsp: SimPartner;
  let cpo: SimPartner;
  const clients: { close(): void }[] = [];
  let sessionsApi: sessionService.SessionServiceClient;
  let billingApi: billingService.BillingServiceClient;
  let financeApi: financeService.FinanceServiceClient;
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) => callUnary<Req, Res>(method as never, request, 15_000);
  const connect = (partner: SimPartner) => connectPartner(mesh, partner);
  const partnerDriver = aToken({ uid: 'DAY-EMS-1', contract_id: 'DE-EMS-C0000DAY1-X', whitelist: 'ALLOWED' });
  const ourDriver = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'DAY-VLM-1', contract_id: 'NL-VLM-C0000DAY1-X', last_updated: new Date().toISOString() });
  /** Which golden CDR became which of our sessions, and whose driver charged. */
  const charged: { name: string; sessionId: string; golden: GoldenCdr; ours: boolean }[] = [];

  before(async () => {
    mesh = await startTestMesh('full-day', { PULL_POLL_MS: '300', RECONCILIATION_TOLERANCE: '0.01' });
    emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP' });
    emsp.published['tokens'] = [partnerDriver];
    cpo = await startSimPartner({ countryCode: 'BE', partyId: 'CPO', role: 'CPO' });
    await connect(emsp);
    await connect(cpo);
    const address = (name: keyof RunningMesh['grpcPorts']) => `127.0.0.1:${mesh.grpcPorts[name]}`;
    const tariffsApi = new tariffService.TariffServiceClient(address('tariffs'), credentials.createInsecure());
    const locationsApi = new locationService.LocationServiceClient(address('locations'), credentials.createInsecure());
    const tokensApi = new tokenService.TokenServiceClient(address('authorization'), credentials.createInsecure());
    sessionsApi = new sessionService.SessionServiceClient(address('sessions'), credentials.createInsecure());
    billingApi = new billingService.BillingServiceClient(address('billing'), credentials.createInsecure());
    financeApi = new financeService.FinanceServiceClient(address('billing'), credentials.createInsecure());
    clients.push(tariffsApi, locationsApi, tokensApi, sessionsApi, billingApi, financeApi);
    await rpc<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(tokensApi.issueToken.bind(tokensApi), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(ourDriver) }));
    // One tariff and one charger per golden case, as our tariff management and CSMS publish them.
    for (const [index, golden] of goldenCases.entries()) {
      const tariffId = `GOLD-${index}`;
      const tariff = tariffSchema.parse({ ...golden.tariff, country_code: 'NL', party_id: 'VLT', id: tariffId, last_updated: new Date().toISOString() });
      await rpc<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(tariffsApi.upsertTariff.bind(tariffsApi), { ocpiJson: JSON.stringify(tariff) });
      const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: `DAY-LOC-${index}`, time_zone: 'UTC', evses: [anEvse({ uid: `DAY-E${index}`, evse_id: `NL*VLT*EDAY${index}`, connectors: [aConnector({ tariff_ids: [tariffId] })] })] });
      await rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locationsApi.upsertLocation.bind(locationsApi), { ocpiJson: JSON.stringify(location) });
    }
    // Our CPO knows the partner eMSP's token once it pulled it.
    await eventually(
      () => rpc<tokenService.GetTokenRequest, tokenService.GetTokenResponse>(tokensApi.getToken.bind(tokensApi), { token: { party: { countryCode: 'DE', partyId: 'EMS' }, uid: partnerDriver.uid, type: 'RFID' } }).then(() => true, () => false),
      Boolean,
      'the partner eMSP token pulled',
    );
  });

  after(async () => {
    for (const client of clients) client.close();
    await emsp?.close();
    await cpo?.close();
    await mesh?.stop();
  });

  test('our CSMS charges every golden case: each CDR is issued once and priced exactly as the reference pricer', async () => {
    assert.ok(goldenCases.length >= 5, `golden CDRs found: ${goldenCases.length}`);
    for (const [index, golden] of goldenCases.entries()) {
      const stated = goldenCdrSchema.parse(golden.cdr);
      const cdr = { ...stated, total_cost: billedTotal(stated.total_cost, golden.tariff) };
      const ours = index % 2 === 1;
      const token = ours ? ourDriver : partnerDriver;
      const sessionId = `DAY-${index}`;
      const energy = cdr.charging_periods.flatMap((period) => period.dimensions).filter((dimension) => dimension.type === 'ENERGY').reduce((sum, dimension) => sum + dimension.volume, 0);
      await rpc<sessionService.ReportSessionStartedRequest, sessionService.ReportSessionStartedResponse>(
        sessionsApi.reportSessionStarted.bind(sessionsApi),
        sessionService.ReportSessionStartedRequest.fromPartial({
          cpo: OUR_CPO,
          sessionId,
          tokenParty: { countryCode: token.country_code, partyId: token.party_id },
          tokenUid: token.uid,
          tokenType: 'RFID',
          authMethod: 'WHITELIST',
          locationId: `DAY-LOC-${index}`,
          evseUid: `DAY-E${index}`,
          connectorId: '1',
          startDateTime: cdr.start_date_time,
        }),
      );
      await rpc<sessionService.ReportSessionEndedRequest, sessionService.ReportSessionEndedResponse>(
        sessionsApi.reportSessionEnded.bind(sessionsApi),
        sessionService.ReportSessionEndedRequest.fromPartial({
          cpo: OUR_CPO,
          sessionId,
          chargingPeriodsJson: JSON.stringify(cdr.charging_periods.map((period) => ({ start_date_time: period.start_date_time, dimensions: period.dimensions }))),
          kwh: energy.toFixed(4),
          endDateTime: cdr.end_date_time,
        }),
      );
      charged.push({ name: golden.name, sessionId, golden: cdr, ours });
    }
    // The test run shares one Kafka: other meshes' sessions may be billed here too; ours are DAY-*.
    const ofThisDay = (sessionId: string | undefined) => sessionId?.startsWith('DAY-') ?? false;
    const issued = await eventually(
      async () =>
        (await rpc<billingService.ListCdrsRequest, billingService.ListCdrsResponse>(billingApi.listCdrs.bind(billingApi), billingService.ListCdrsRequest.fromPartial({ role: cdrs.CdrRole.CDR_ROLE_CPO, page: { limit: 1000 } }))).cdrs.filter(
          (cdr) => ofThisDay(cdr.sessionId),
        ),
      (list) => list.length >= charged.length,
      'every CDR issued',
    );
    assert.equal(issued.length, charged.length, 'one CDR per session');
    for (const { name, sessionId, golden } of charged) {
      const stored = issued.find((candidate) => candidate.sessionId === sessionId);
      assert.ok(stored, `a CDR for ${name}`);
      const ours = cdrSchema.parse(JSON.parse(stored.ocpiJson));
      for (const field of COST_FIELDS) {
        const expected = golden[field];
        if (!expected) continue;
        assert.equal(units(ours[field]?.excl_vat), units(expected.excl_vat), `${name} ${field}.excl_vat`);
        if (expected.incl_vat !== undefined) assert.equal(units(ours[field]?.incl_vat), units(expected.incl_vat), `${name} ${field}.incl_vat`);
      }
      assert.equal(units(ours.total_energy), units(golden.total_energy), `${name} total_energy`);
      assert.equal(units(ours.total_time), units(golden.total_time), `${name} total_time`);
      if (golden.total_parking_time !== undefined) assert.equal(units(ours.total_parking_time), units(golden.total_parking_time), `${name} total_parking_time`);
    }
    // The partner eMSP gets the CDRs of its drivers, each once; our own drivers' stay inside.
    const theirs = charged.filter((entry) => !entry.ours).map((entry) => entry.sessionId);
    const posts = () => emsp.state.received.filter((push) => push.method === 'POST' && push.path === '/ocpi/2.2.1/cdrs/');
    await eventually(posts, (seen) => theirs.every((id) => seen.some((push) => (push.body as Cdr).session_id === id)), 'the partner eMSP got its CDRs');
    await sleep(1_000);
    assert.deepEqual(posts().map((push) => (push.body as Cdr).session_id).filter(ofThisDay).sort(), [...theirs].sort(), 'each of its CDRs once, none of our drivers');
  });

  test('a partner CPO charges our driver the same day; the invoice holds both sides, the settlement says who owes what', async () => {
    const theirTariff: Tariff = tariffSchema.parse({ ...(goldenCases[0]!.tariff), country_code: 'BE', party_id: 'CPO', id: 'BE-DAY', last_updated: new Date().toISOString() });
    assert.equal((await cpo.callPeer('PUT', `${cpo.peerEndpoint('tariffs', 'RECEIVER')}BE/CPO/BE-DAY`, theirTariff)).httpStatus, 200);
    await sleep(1_000);
    const stated = goldenCdrSchema.parse(goldenCases[0]!.cdr);
    const golden = { ...stated, total_cost: billedTotal(stated.total_cost, goldenCases[0]!.tariff) };
    const theirCdr = aCdr({
      start_date_time: golden.start_date_time,
      end_date_time: golden.end_date_time,
      total_cost: golden.total_cost,
      total_energy: golden.total_energy,
      total_time: golden.total_time,
      // Exactly the golden cost parts (undefined ones are left out of the JSON).
      total_energy_cost: golden.total_energy_cost,
      total_time_cost: golden.total_time_cost,
      total_parking_cost: golden.total_parking_cost,
      total_fixed_cost: golden.total_fixed_cost,
      country_code: 'BE',
      party_id: 'CPO',
      id: 'BE-DAY-CDR',
      session_id: 'BE-DAY-S',
      cdr_token: aCdrToken({ country_code: 'NL', party_id: 'VLM', uid: ourDriver.uid, contract_id: ourDriver.contract_id }),
      cdr_location: aCdrLocation({ id: 'BE-LOC', country: 'BEL' }),
      tariffs: [theirTariff],
      charging_periods: golden.charging_periods.map((period) => ({ ...period, tariff_id: 'BE-DAY' })),
      last_updated: golden.end_date_time,
    });
    const posted = await cpo.callPeer('POST', cpo.peerEndpoint('cdrs', 'RECEIVER'), theirCdr);
    assert.equal((posted.body as Envelope).status_code, 1000, JSON.stringify(posted.body));

    // Our driver's invoice for the day: our CPO's CDRs of that contract and the partner's.
    const invoices = await eventually(
      async () => (await rpc<financeService.GetInvoicesRequest, financeService.GetInvoicesResponse>(financeApi.getInvoices.bind(financeApi), { contractId: ourDriver.contract_id, periodStart: DAY.start, periodEnd: DAY.end })).invoices,
      (list) => (list[0]?.lines.length ?? 0) >= charged.filter((entry) => entry.ours).length + 1,
      'the invoice with every CDR',
    );
    assert.deepEqual(invoices.map((invoice) => invoice.currency), ['EUR']);
    const invoice = invoices[0]!;
    const expectedIds = [...charged.filter((entry) => entry.ours).map((entry) => entry.sessionId), 'BE-DAY-CDR'].sort();
    assert.deepEqual(invoice.lines.map((line) => line.cdrId).sort(), expectedIds, 'both sides of the roaming network on one invoice');
    const lineSum = invoice.lines.reduce((sum, line) => sum + dec(line.inclVat), 0);
    assert.equal(dec(invoice.totalInclVat), lineSum, 'the invoice total is the sum of its lines');
    const goldenSum = charged.filter((entry) => entry.ours).reduce((sum, entry) => sum + (units(entry.golden.total_cost.incl_vat) ?? 0), 0) + (units(golden.total_cost.incl_vat) ?? 0);
    assert.equal(lineSum, goldenSum, 'exact to the cent against the golden totals');

    // Settlement: the partner eMSP owes us its drivers' CDRs; we owe the partner CPO.
    const settle = async (party: { countryCode: string; partyId: string }) =>
      (await rpc<financeService.GetSettlementRequest, financeService.GetSettlementResponse>(financeApi.getSettlement.bind(financeApi), { connectionId: '', party, periodStart: DAY.start, periodEnd: DAY.end })).settlements;
    const [withEmsp] = await settle({ countryCode: 'DE', partyId: 'EMS' });
    const receivable = charged.filter((entry) => !entry.ours);
    assert.equal(withEmsp?.amounts[0]?.receivableCdrs, receivable.length);
    assert.equal(dec(withEmsp!.amounts[0]!.receivableInclVat), receivable.reduce((sum, entry) => sum + (units(entry.golden.total_cost.incl_vat) ?? 0), 0));
    assert.equal(withEmsp?.amounts[0]?.payableCdrs, 0);
    const [withCpo] = await settle({ countryCode: 'BE', partyId: 'CPO' });
    assert.equal(withCpo?.amounts[0]?.payableCdrs, 1);
    assert.equal(dec(withCpo!.amounts[0]!.payableInclVat), units(golden.total_cost.incl_vat));
    assert.equal(dec(withCpo!.amounts[0]!.netInclVat), -(units(golden.total_cost.incl_vat) ?? 0), 'we owe the partner CPO');
    assert.equal(withCpo?.openDisputes, 0, 'its CDR matches its tariff: no dispute');

    // The same settlement as CSV, for the finance team.
    let csv = '';
    await new Promise<void>((resolve, reject) => {
      const stream = financeApi.exportCsv(financeService.ExportCsvRequest.fromPartial({ kind: financeService.CsvKind.CSV_KIND_SETTLEMENT, periodStart: DAY.start, periodEnd: DAY.end }));
      stream.on('data', (chunk: financeService.ExportCsvResponse) => (csv += chunk.text));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    const rows = csv.trim().split('\r\n');
    assert.ok(rows.length >= 3, `a header and a row per partner: ${csv}`);
    assert.ok(rows.some((row) => row.includes('BE') && row.includes('CPO')), 'the partner CPO has a row');
  });
});
