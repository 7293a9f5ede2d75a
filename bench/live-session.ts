/**
 * One session with 1,000 charging periods priced live: our CSMS reports a period a minute
 * (SessionService.ReportSessionProgress), the sessions service appends it, re-prices the session
 * with the tariffs price engine and announces it. The time per update must stay flat as the
 * session grows: printed for the first and the last updates, and their ratio.
 *
 *   node --import tsx bench/live-session.ts        (or: make bench BENCH=live-session)
 */
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { locationService, sessionService, tariffService, tokenService } from '@voltmesh/proto';
import { aConnector, aLocation, aPriceComponent, aTariff, aTariffElement, aToken, anEvse } from '@voltmesh/testing';
import { ms, percentile, startBenchMesh } from './support/bench-mesh.js';

const PERIODS = Number(process.env['BENCH_PERIODS'] ?? 1_000);

const mesh = await startBenchMesh('live-session');
try {
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) => callUnary<Req, Res>(method as never, request, 30_000);
  const sessionsApi = new sessionService.SessionServiceClient(mesh.grpc.sessions, credentials.createInsecure());
  const tariffs = new tariffService.TariffServiceClient(mesh.grpc.tariffs, credentials.createInsecure());
  const locations = new locationService.LocationServiceClient(mesh.grpc.locations, credentials.createInsecure());
  const tokens = new tokenService.TokenServiceClient(mesh.grpc.authorization, credentials.createInsecure());
  // A tariff that makes every period count: energy by time of day, charging time, a max duration step.
  const tariff = aTariff({
    country_code: 'NL',
    party_id: 'VLT',
    id: 'LIVE',
    elements: [
      aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.45, step_size: 1 })], restrictions: { start_time: '17:00', end_time: '20:00', day_of_week: [] } }),
      aTariffElement({ price_components: [aPriceComponent({ type: 'ENERGY', price: 0.3, step_size: 1 }), aPriceComponent({ type: 'TIME', price: 0.6, step_size: 60 })] }),
    ],
  });
  await rpc<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(tariffs.upsertTariff.bind(tariffs), { ocpiJson: JSON.stringify(tariff) });
  const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'LIVE-LOC', time_zone: 'Europe/Amsterdam', evses: [anEvse({ uid: 'LIVE-E1', connectors: [aConnector({ tariff_ids: ['LIVE'] })] })] });
  await rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locations.upsertLocation.bind(locations), { ocpiJson: JSON.stringify(location) });
  await rpc<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(tokens.issueToken.bind(tokens), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(aToken({ country_code: 'NL', party_id: 'VLM', uid: 'LIVE-CARD' })) }));

  const start = Date.parse('2026-11-20T06:00:00Z');
  const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
  const cpo = { countryCode: 'NL', partyId: 'VLT' };
  await rpc<sessionService.ReportSessionStartedRequest, sessionService.ReportSessionStartedResponse>(
    sessionsApi.reportSessionStarted.bind(sessionsApi),
    sessionService.ReportSessionStartedRequest.fromPartial({ cpo, sessionId: 'LIVE-1', tokenParty: { countryCode: 'NL', partyId: 'VLM' }, tokenUid: 'LIVE-CARD', tokenType: 'RFID', authMethod: 'WHITELIST', locationId: 'LIVE-LOC', evseUid: 'LIVE-E1', connectorId: '1', startDateTime: at(0), status: 'ACTIVE' }),
  );
  const times: number[] = [];
  let cost = '';
  for (let n = 0; n < PERIODS; n += 1) {
    const period = { start_date_time: at(n), dimensions: [{ type: 'ENERGY', volume: 0.183 }, { type: 'TIME', volume: 0.016667 }], tariff_id: 'LIVE' };
    const began = performance.now();
    const answer = await rpc<sessionService.ReportSessionProgressRequest, sessionService.ReportSessionProgressResponse>(
      sessionsApi.reportSessionProgress.bind(sessionsApi),
      sessionService.ReportSessionProgressRequest.fromPartial({ cpo, sessionId: 'LIVE-1', chargingPeriodsJson: JSON.stringify([period]), kwh: (0.183 * (n + 1)).toFixed(3), at: at(n + 1) }),
    );
    times.push(performance.now() - began);
    cost = answer.session?.price?.totalCost?.inclVat ?? '';
  }
  const window = Math.min(50, Math.floor(PERIODS / 4));
  const first = times.slice(0, window);
  const last = times.slice(-window);
  console.log(`one session, ${PERIODS} charging periods reported one by one, each re-priced live (final cost €${cost} incl. VAT):`);
  console.log(`  first update ${ms(times[0]!)}, last update ${ms(times[times.length - 1]!)}`);
  console.log(`  p50 of the first ${window}: ${ms(percentile(first, 50))}, of the last ${window}: ${ms(percentile(last, 50))}; ratio last/first ${(percentile(last, 50) / percentile(first, 50)).toFixed(2)} (flat: ≈ 1)`);
  for (const client of [sessionsApi, tariffs, locations, tokens]) client.close();
} finally {
  await mesh.stop();
}
