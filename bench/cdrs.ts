/**
 * CDR throughput of the billing service, both roles, on the whole mesh:
 * 1. issued: completed sessions of our CPO (SessionChanged on sessions.session.v1, as the
 *    sessions service emits them) → billing builds each CDR, prices it with the tariffs price
 *    engine, stores it once and announces it. Measured from the first event published until
 *    billing holds every CDR. Target: ≥ 500 CDRs/s.
 * 2. received: a partner CPO POSTs CDRs of our drivers to the gateway; each is validated, stored
 *    and re-priced against the partner's tariff we hold (reconciliation). Measured from the
 *    first POST until the last answer.
 *
 *   node --import tsx bench/cdrs.ts        (or: make bench BENCH=cdrs)
 */
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { createKafka, EventPublisher, Topics } from '@voltmesh/kafka';
import { billingService, cdrs, sessions, tariffService, tokenService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { aCdr, aCdrLocation, aCdrToken, aChargingPeriod, aPriceComponent, aSession, aTariff, aTariffElement, aToken } from '@voltmesh/testing';
import { startBenchMesh, until } from './support/bench-mesh.js';


const ISSUED = Number(process.env['BENCH_CDRS'] ?? 2_000);
const RECEIVED = Number(process.env['BENCH_RECEIVED_CDRS'] ?? 500);
const POST_CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const TARGET_PER_S = 500;

const mesh = await startBenchMesh('cdrs');
try {
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) => callUnary<Req, Res>(method as never, request, 30_000);
  const billing = new billingService.BillingServiceClient(mesh.grpc.billing, credentials.createInsecure());
  const tariffs = new tariffService.TariffServiceClient(mesh.grpc.tariffs, credentials.createInsecure());
  const tokens = new tokenService.TokenServiceClient(mesh.grpc.authorization, credentials.createInsecure());
  const count = async (role: cdrs.CdrRole) =>
    (await rpc<billingService.ListCdrsRequest, billingService.ListCdrsResponse>(billing.listCdrs.bind(billing), billingService.ListCdrsRequest.fromPartial({ role, page: { limit: 1 } }))).page?.total ?? 0;

  // 1. Issued: completed sessions with a time-of-day tariff (energy + time + parking), 12 periods each.
  const tariff = aTariff({
    country_code: 'NL',
    party_id: 'VLT',
    id: 'BENCH-TOD',
    elements: [
      aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.35, step_size: 1 }), aPriceComponent({ type: 'TIME', price: 1.2, step_size: 60 })], restrictions: { start_time: '07:00', end_time: '22:00', day_of_week: [] } }),
      aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.25, step_size: 1 })] }),
    ],
  });
  const start = Date.parse('2026-11-20T08:00:00Z');
  const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
  const periods = Array.from({ length: 12 }, (_, n) => aChargingPeriod({ start_date_time: at(n * 10), dimensions: [{ type: 'ENERGY', volume: 1.833 }, { type: 'TIME', volume: 0.1667 }], tariff_id: 'BENCH-TOD' }));
  const kafka = createKafka({ brokers: mesh.kafkaBrokers, clientId: 'bench-cdrs' }, createLogger('bench', 'warn'));
  const publisher = new EventPublisher(kafka, 'bench-cdrs');
  await publisher.connect();
  const events = Array.from({ length: ISSUED }, (_, n) => {
    const session = aSession({ country_code: 'NL', party_id: 'VLT', id: `BENCH-S${n}`, cdr_token: aCdrToken({ uid: `CARD${n % 50}` }), start_date_time: at(0), end_date_time: at(125), kwh: 22, status: 'COMPLETED', charging_periods: periods, last_updated: at(125) });
    const changed = sessions.SessionChanged.fromPartial({
      session: {
        role: sessions.SessionRole.SESSION_ROLE_CPO,
        ocpiJson: JSON.stringify(session),
        revision: '3',
        updatedAt: at(125),
        cpo: { countryCode: 'NL', partyId: 'VLT' },
        id: session.id,
        emsp: { countryCode: 'DE', partyId: 'EMS' },
        contractId: session.cdr_token.contract_id,
        status: 'COMPLETED',
        cdrLocationJson: JSON.stringify(aCdrLocation({ id: 'BENCH-LOC' })),
        tariffJson: JSON.stringify(tariff),
        timeZone: 'Europe/Amsterdam',
        periodCount: periods.length,
      },
    });
    return { topic: Topics.session, key: `NL*VLT*${session.id}`, type: 'voltmesh.sessions.v1.SessionChanged', value: sessions.SessionChanged.encode(changed).finish() };
  });
  const issuedAt = Date.now();
  for (let offset = 0; offset < events.length; offset += 200) await Promise.all(events.slice(offset, offset + 200).map((event) => publisher.publish(event)));
  const publishedMs = Date.now() - issuedAt;
  // Counted every 2 s: a list on FerretDB scans the collection, and polling it often would
  // compete with the writes being measured (the figure is at most 2 s pessimistic).
  await until(`${ISSUED} CDRs issued`, async () => (await count(cdrs.CdrRole.CDR_ROLE_CPO)) >= ISSUED, 900_000, 2_000);
  const issuedSeconds = (Date.now() - issuedAt) / 1000;
  const issuedRate = ISSUED / issuedSeconds;
  await publisher.disconnect();
  console.log(`issued: ${ISSUED} completed sessions (12 periods, time-of-day tariff) → CDRs priced and stored in ${issuedSeconds.toFixed(1)} s (events published in ${publishedMs} ms)`);
  console.log(`  ${issuedRate.toFixed(0)} CDRs/s; ratio to the target ${TARGET_PER_S}/s: ${(issuedRate / TARGET_PER_S).toFixed(2)}`);

  // 2. Received: a partner CPO posts CDRs of our drivers; each is re-priced against its tariff.
  const cpo = await mesh.connect({ countryCode: 'BE', partyId: 'CPO', role: 'CPO', name: 'bench CPO' });
  const theirs = aTariff({ country_code: 'BE', party_id: 'CPO', id: 'BE-KWH', elements: [aTariffElement({ price_components: [aPriceComponent({ price: 0.4, vat: 21, step_size: 1 })] })], last_updated: new Date().toISOString() });
  await cpo.callPeer('PUT', `${cpo.peerEndpoint('tariffs', 'RECEIVER')}BE/CPO/BE-KWH`, theirs);
  await until('the partner tariff stored', async () => rpc<tariffService.GetTariffRequest, tariffService.GetTariffResponse>(tariffs.getTariff.bind(tariffs), { party: { countryCode: 'BE', partyId: 'CPO' }, id: 'BE-KWH' }).then(() => true, () => false), 30_000);
  await rpc<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(tokens.issueToken.bind(tokens), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(aToken({ country_code: 'NL', party_id: 'VLM', uid: 'BENCH-DRIVER', contract_id: 'NL-VLM-C00000001-X' })) }));
  const cdrToken = aCdrToken({ country_code: 'NL', party_id: 'VLM', uid: 'BENCH-DRIVER', contract_id: 'NL-VLM-C00000001-X' });
  const cdrsUrl = cpo.peerEndpoint('cdrs', 'RECEIVER');
  const received = Array.from({ length: RECEIVED }, (_, n) =>
    aCdr({ country_code: 'BE', party_id: 'CPO', id: `BE-CDR${n}`, cdr_token: cdrToken, cdr_location: aCdrLocation({ country: 'BEL' }), tariffs: [theirs], charging_periods: [aChargingPeriod({ tariff_id: 'BE-KWH' })], total_cost: { excl_vat: 4, incl_vat: n % 10 === 0 ? 5.5 : 4.84 }, total_energy_cost: { excl_vat: 4, incl_vat: n % 10 === 0 ? 5.5 : 4.84 } }),
  );
  let next = 0;
  let refused = 0;
  let timedOut = 0;
  const receivedAt = Date.now();
  await Promise.all(
    Array.from({ length: POST_CONCURRENCY }, async () => {
      while (next < received.length) {
        try {
          const answer = await cpo.callPeer('POST', cdrsUrl, received[next++]);
          if ((answer.body as { status_code?: number }).status_code !== 1000) refused += 1;
        } catch {
          timedOut += 1; // the simulated partner gives up after 5 s
        }
      }
    }),
  );
  const receivedSeconds = (Date.now() - receivedAt) / 1000;
  const stored = await count(cdrs.CdrRole.CDR_ROLE_EMSP);
  const disputes = (await rpc<billingService.ListDisputesRequest, billingService.ListDisputesResponse>(billing.listDisputes.bind(billing), billingService.ListDisputesRequest.fromPartial({ page: { limit: 1 } }))).page?.total ?? 0;
  console.log(`received: ${RECEIVED} partner CDRs POSTed (${POST_CONCURRENCY} in flight), validated, stored and reconciled in ${receivedSeconds.toFixed(1)} s: ${(RECEIVED / receivedSeconds).toFixed(0)} CDRs/s; stored ${stored}, refused ${refused}, unanswered within 5 s ${timedOut}, disputes ${disputes} (every 10th overcharges)`);
  console.log(`  ratio received/issued throughput: ${(RECEIVED / receivedSeconds / issuedRate).toFixed(2)}`);
  billing.close();
  tariffs.close();
  tokens.close();
} finally {
  await mesh.stop();
}
