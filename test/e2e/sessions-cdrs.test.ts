import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import type { Cdr, Session } from '@voltmesh/ocpi';
import { createLogger } from '@voltmesh/telemetry';
import { billingService, cdrs, locationService, sessionService, sessions, tariffService, tokenService } from '@voltmesh/proto';
import { aCdr, aCdrLocation, aCdrToken, aChargingPeriod, aConnector, aLocation, aPriceComponent, aSession, aTariff, aTariffElement, aToken, anEvse, sleep, startSimPartner, type SimPartner } from '@voltmesh/testing';
import { startCsmsSimulator, type CsmsSimulator } from '../../scripts/demo/csms.js';
import { connectPartner, eventually, http, startTestMesh, type Envelope, type RunningMesh } from './mesh-fixture.js';

/** Money in ten-thousandths, so expected totals are computed exactly. */
const units = (value: number): bigint => BigInt(Math.round(value * 10_000));
const OUR_CPO = { countryCode: 'NL', partyId: 'VLT' };
const TARIFF_PRICE = 0.3; // € per kWh, 21 % VAT, billed per Wh

describe('sessions, CDRs and reconciliation end to end, in both roles', () => {
  let mesh: RunningMesh;
  let emsp: SimPartner;
  let cpo: SimPartner;
  let csms: CsmsSimulator;
  let sessionsApi: sessionService.SessionServiceClient;
  let billingApi: billingService.BillingServiceClient;
  let tokensApi: tokenService.TokenServiceClient;
  const admin = (method: string, path: string, body?: unknown) => http(method, `${mesh.adminUrl}${path}`, { authorization: `Bearer ${mesh.adminToken}`, ...(body !== undefined ? { body } : {}) });
  const connect = (partner: SimPartner) => connectPartner(mesh, partner);
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) => callUnary<Req, Res>(method as never, request, 10_000);
  const statusOf = (result: { body: unknown }) => (result.body as Envelope).status_code;
  const messageOf = (result: { body: unknown }) => (result.body as Envelope).status_message ?? '';
  const asEmsp = (method: string, url: string, body?: unknown) => emsp.callPeer(method, url, body);
  const asCpo = (method: string, url: string, body?: unknown) => cpo.callPeer(method, url, body);
  const getSession = async (role: sessions.SessionRole, party: { countryCode: string; partyId: string }, sessionId: string) =>
    rpc<sessionService.GetSessionRequest, sessionService.GetSessionResponse>(sessionsApi.getSession.bind(sessionsApi), { role, cpo: party, sessionId }).then(
      (answer) => answer.session,
      () => undefined,
    );
  const listCdrs = async (role: cdrs.CdrRole) =>
    (await rpc<billingService.ListCdrsRequest, billingService.ListCdrsResponse>(billingApi.listCdrs.bind(billingApi), billingService.ListCdrsRequest.fromPartial({ role, page: { limit: 100 } }))).cdrs;

  before(async () => {
    mesh = await startTestMesh('sessions-cdrs', { COMMAND_TIMEOUT_S: '5', SWEEP_INTERVAL_MS: '200', PULL_POLL_MS: '300', RECONCILIATION_TOLERANCE: '0.01' });
    emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP' });
    // Pulled by our CPO on connect: the token the eMSP starts sessions with.
    emsp.published['tokens'] = [aToken({ uid: 'EMS-DRIVER', whitelist: 'ALLOWED', contract_id: 'DE-EMS-C00000042-X' })];
    cpo = await startSimPartner({ countryCode: 'BE', partyId: 'CPO', role: 'CPO' });
    await connect(emsp);
    await connect(cpo);
    const address = (name: keyof RunningMesh['grpcPorts']) => `127.0.0.1:${mesh.grpcPorts[name]}`;
    sessionsApi = new sessionService.SessionServiceClient(address('sessions'), credentials.createInsecure());
    billingApi = new billingService.BillingServiceClient(address('billing'), credentials.createInsecure());
    tokensApi = new tokenService.TokenServiceClient(address('authorization'), credentials.createInsecure());
    const tariffsApi = new tariffService.TariffServiceClient(address('tariffs'), credentials.createInsecure());
    const locationsApi = new locationService.LocationServiceClient(address('locations'), credentials.createInsecure());
    const tariff = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'E2E-KWH', elements: [aTariffElement({ price_components: [aPriceComponent({ price: TARIFF_PRICE, vat: 21, step_size: 1 })] })], last_updated: new Date().toISOString() });
    await rpc<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(tariffsApi.upsertTariff.bind(tariffsApi), { ocpiJson: JSON.stringify(tariff) });
    const location = aLocation({
      country_code: 'NL',
      party_id: 'VLT',
      id: 'SES-LOC',
      time_zone: 'Europe/Amsterdam',
      evses: [anEvse({ uid: 'SES-E1', evse_id: 'NL*VLT*ESES1', connectors: [aConnector({ tariff_ids: ['E2E-KWH'] })] })],
      last_updated: new Date().toISOString(),
    });
    await rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locationsApi.upsertLocation.bind(locationsApi), { ocpiJson: JSON.stringify(location) });
    tariffsApi.close();
    locationsApi.close();
    csms = await startCsmsSimulator({
      kafkaBrokers: mesh.kafkaBrokers,
      sessionsAddress: address('sessions'),
      locationsAddress: address('locations'),
      groupId: `csms-${mesh.databasePrefix}`,
      logger: createLogger('csms-simulator', 'warn'),
      meterIntervalMs: 400,
      chargePowerKw: 50,
    });
  });

  after(async () => {
    await csms?.stop();
    sessionsApi?.close();
    billingApi?.close();
    tokensApi?.close();
    await emsp?.close();
    await cpo?.close();
    await mesh?.stop();
  });

  test('our CPO: a started session is pushed live to the eMSP (PUT, then PATCHes with periods and cost), its CDR is priced to the cent and POSTed once', async () => {
    const commandsUrl = emsp.peerEndpoint('commands', 'RECEIVER');
    const token = (emsp.published['tokens'] as ReturnType<typeof aToken>[])[0]!;
    // Our CPO pulled the token on connect; until then the command is refused as unknown.
    const start = await eventually(
      () => asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: `${emsp.baseUrl}/ocpi/2.2.1/commands/START_SESSION/s1`, token, location_id: 'SES-LOC', evse_uid: 'SES-E1', connector_id: '1' }),
      (answer) => statusOf(answer) === 1000,
      'START_SESSION accepted',
    );
    assert.equal((start.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED');
    const started = await eventually(() => csms.handled.find((done) => done.type === 'START_SESSION'), (done) => !!done?.sessionId, 'the CSMS started a session');
    const sessionId = started!.sessionId!;
    // OCPI ids are CiStrings: we normalise them to upper case, also the CSMS's session id.
    const ocpiSessionId = sessionId.toUpperCase();
    const pushes = () => emsp.state.received.filter((push) => push.path === `/ocpi/2.2.1/sessions/NL/VLT/${ocpiSessionId}`);
    await eventually(pushes, (seen) => seen.some((push) => push.method === 'PATCH' && Array.isArray((push.body as Partial<Session>).charging_periods)), 'a PATCH with new charging periods');
    const [first] = pushes();
    assert.equal(first?.method, 'PUT', 'the first push is the whole session');
    const put = first!.body as Session;
    assert.equal(put.cdr_token.uid, 'EMS-DRIVER');
    assert.equal(put.cdr_token.contract_id, 'DE-EMS-C00000042-X');
    assert.equal(put.auth_method, 'COMMAND');
    assert.equal(put.currency, 'EUR');
    assert.equal(first!.headers['ocpi-to-party-id'], 'EMS');

    // Smart charging by the eMSP: a limit for the live session, then the charger's active profile.
    const profilesUrl = emsp.peerEndpoint('chargingprofiles', 'RECEIVER');
    const setProfile = await asEmsp('PUT', `${profilesUrl}${sessionId}`, {
      charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 7400 }] },
      response_url: `${emsp.baseUrl}/ocpi/2.2.1/chargingprofiles/results/set-1`,
    });
    assert.equal((setProfile.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED', JSON.stringify(setProfile.body));
    const setResult = await eventually(() => emsp.state.received.find((push) => push.path === '/ocpi/2.2.1/chargingprofiles/results/set-1'), Boolean, 'the SetChargingProfile result at the eMSP');
    assert.deepEqual(setResult!.body, { result: 'ACCEPTED' });
    const getUrl = `${profilesUrl}${sessionId}?duration=900&response_url=${encodeURIComponent(`${emsp.baseUrl}/ocpi/2.2.1/chargingprofiles/results/get-1`)}`;
    assert.equal((((await asEmsp('GET', getUrl)).body) as Envelope<{ result: string }>).data?.result, 'ACCEPTED');
    const active = await eventually(() => emsp.state.received.find((push) => push.path === '/ocpi/2.2.1/chargingprofiles/results/get-1'), Boolean, 'the ActiveChargingProfileResult at the eMSP');
    const activeBody = active!.body as { result: string; profile?: { charging_profile: { charging_profile_period: { limit: number }[] } } };
    assert.equal(activeBody.result, 'ACCEPTED');
    assert.equal(activeBody.profile?.charging_profile.charging_profile_period[0]?.limit, 50_000);
    const foreign = await asCpo('PUT', `${profilesUrl}${sessionId}`, { charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 1 }] }, response_url: `${cpo.baseUrl}/x` });
    assert.notEqual((foreign.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED', 'a partner without the session cannot limit it');

    // Two more meter periods, then the driver stops.
    await eventually(() => csms.sessions.get(sessionId), (progress) => (progress?.periods ?? 0) >= 3, 'three meter periods');
    const stop = await asEmsp('POST', `${commandsUrl}STOP_SESSION`, { response_url: `${emsp.baseUrl}/ocpi/2.2.1/commands/STOP_SESSION/s1`, session_id: sessionId });
    assert.equal((stop.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED');
    await eventually(pushes, (seen) => seen.some((push) => (push.body as Partial<Session>).status === 'COMPLETED'), 'the COMPLETED session pushed');

    // The eMSP rebuilt the session from a PUT and PATCHes: every period once, in order.
    const periods = pushes().flatMap((push) => (push.body as Partial<Session>).charging_periods ?? []);
    const starts = periods.map((period) => period.start_date_time);
    assert.deepEqual([...starts].sort(), starts, 'periods arrive in order');
    assert.equal(new Set(starts).size, starts.length, 'no period twice');
    const stored = await getSession(sessions.SessionRole.SESSION_ROLE_CPO, OUR_CPO, sessionId);
    assert.equal(stored?.status, 'COMPLETED');
    assert.equal(stored?.periodCount, periods.length, 'the eMSP holds every period we hold');

    // The CDR: POSTed to the eMSP once, totals exact against the tariff in force at the start.
    const cdrPosts = () => emsp.state.received.filter((push) => push.method === 'POST' && push.path === '/ocpi/2.2.1/cdrs/');
    await eventually(cdrPosts, (seen) => seen.some((push) => (push.body as Cdr).session_id === ocpiSessionId), 'the CDR at the eMSP');
    const cdr = cdrPosts().find((push) => (push.body as Cdr).session_id === ocpiSessionId)!.body as Cdr;
    assert.equal(cdr.session_id, ocpiSessionId);
    assert.equal(cdr.cdr_location.evse_id, 'NL*VLT*ESES1');
    assert.deepEqual(cdr.tariffs.map((tariff) => tariff.id), ['E2E-KWH']);
    const energy = cdr.charging_periods.flatMap((period) => period.dimensions).filter((dimension) => dimension.type === 'ENERGY').reduce((sum, dimension) => sum + units(dimension.volume), 0n);
    assert.equal(units(cdr.total_energy), energy, 'total_energy is the sum of the periods');
    // €0.30 per kWh per Wh: energy (10⁻⁴ kWh) × 0.30, in 10⁻⁴ € → exact to the cent and beyond.
    const expectedExcl = (energy * 3n) / 10n;
    assert.equal(units(cdr.total_cost.excl_vat), expectedExcl, `total_cost ${cdr.total_cost.excl_vat} for ${cdr.total_energy} kWh`);
    assert.equal(units(cdr.total_energy_cost?.excl_vat ?? -1), expectedExcl);
    assert.equal(units(cdr.total_cost.incl_vat ?? -1), (expectedExcl * 121n + 50n) / 100n, 'incl. 21 % VAT, rounded once');
    await sleep(1_000);
    assert.equal(cdrPosts().filter((push) => (push.body as Cdr).id === cdr.id).length, 1, 'the CDR is posted exactly once');

    // Partners read our sessions and CDRs: only those of their tokens.
    const dateFrom = '2020-01-01T00:00:00Z';
    const sessionsPage = await asEmsp('GET', `${emsp.peerEndpoint('sessions', 'SENDER')}?date_from=${dateFrom}`);
    assert.equal(statusOf(sessionsPage), 1000, JSON.stringify(sessionsPage.body));
    assert.ok((sessionsPage.body as Envelope<Session[]>).data!.some((session) => session.id === ocpiSessionId), 'the eMSP pages our session');
    const cdrPage = await asEmsp('GET', `${emsp.peerEndpoint('cdrs', 'SENDER')}?date_from=${dateFrom}`);
    assert.ok((cdrPage.body as Envelope<Cdr[]>).data!.some((listed) => listed.id === cdr.id), 'the eMSP pages our CDR');
    const othersPage = await asCpo('GET', `${emsp.peerEndpoint('sessions', 'SENDER')}?date_from=${dateFrom}`);
    assert.ok(!JSON.stringify(othersPage.body).includes(ocpiSessionId), 'another partner does not see the session');

    // Charging preferences on an EVSE that does not support them: HTTP 404 + 2001 (OCPI 2.2.1 §6.1).
    const preferences = await asEmsp('PUT', `${emsp.peerEndpoint('sessions', 'SENDER')}${sessionId}/charging_preferences`, { profile_type: 'FAST' });
    assert.equal(preferences.httpStatus, 404, JSON.stringify(preferences.body));
    assert.equal(statusOf(preferences), 2001);
  });

  test('our eMSP: a partner CPO pushes a session of our token (PUT, PATCH appends), posts its CDR once, and reconciliation disputes a wrong total', async () => {
    const driver = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'VLM-DRIVER', contract_id: 'NL-VLM-C00000007-X', last_updated: new Date().toISOString() });
    await rpc<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(tokensApi.issueToken.bind(tokensApi), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(driver) }));
    const sessionsUrl = cpo.peerEndpoint('sessions', 'RECEIVER');
    const cdrsUrl = cpo.peerEndpoint('cdrs', 'RECEIVER');
    const cdrToken = aCdrToken({ country_code: 'NL', party_id: 'VLM', uid: 'VLM-DRIVER', contract_id: 'NL-VLM-C00000007-X' });
    const t0 = Date.parse('2026-11-01T10:00:00Z');
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
    const period = (minutes: number, kwh: number) => aChargingPeriod({ start_date_time: at(minutes), dimensions: [{ type: 'ENERGY', volume: kwh }], tariff_id: 'BE-KWH' });
    const session = aSession({ country_code: 'BE', party_id: 'CPO', id: 'BE-S1', cdr_token: cdrToken, start_date_time: at(0), charging_periods: [period(0, 5)], kwh: 5, last_updated: at(1) });

    const putAnswer = await asCpo('PUT', `${sessionsUrl}BE/CPO/BE-S1`, session);
    assert.equal(statusOf(putAnswer), 1000, JSON.stringify(putAnswer.body));
    const patch = await asCpo('PATCH', `${sessionsUrl}BE/CPO/BE-S1`, { kwh: 12, charging_periods: [period(30, 7)], last_updated: at(31) });
    assert.equal(statusOf(patch), 1000, JSON.stringify(patch.body));
    const stored = await eventually(() => getSession(sessions.SessionRole.SESSION_ROLE_EMSP, { countryCode: 'BE', partyId: 'CPO' }, 'BE-S1'), (found) => found?.periodCount === 2, 'the PATCH appended to the stored session');
    assert.equal((JSON.parse(stored!.ocpiJson) as Session).kwh, 12);
    const readBack = await asCpo('GET', `${sessionsUrl}BE/CPO/BE-S1`);
    assert.equal((readBack.body as Envelope<Session>).data?.charging_periods.length, 2);

    // Refused, each with a message naming the problem, and nothing stored.
    const notOurs = await asCpo('PUT', `${sessionsUrl}BE/CPO/BE-S2`, { ...session, id: 'BE-S2', cdr_token: aCdrToken({ country_code: 'DE', party_id: 'XXX' }) });
    assert.equal(statusOf(notOurs), 2001);
    assert.match(messageOf(notOurs), /cdr_token/);
    const outOfOrder = await asCpo('PATCH', `${sessionsUrl}BE/CPO/BE-S1`, { charging_periods: [period(10, 1)], last_updated: at(40) });
    assert.equal(statusOf(outOfOrder), 2001);
    assert.match(messageOf(outOfOrder), /charging_periods/);
    const otherCurrency = await asCpo('PATCH', `${sessionsUrl}BE/CPO/BE-S1`, { currency: 'CHF', last_updated: at(41) });
    assert.equal(statusOf(otherCurrency), 2001);
    assert.match(messageOf(otherCurrency), /currency/);
    await sleep(500);
    assert.equal((await getSession(sessions.SessionRole.SESSION_ROLE_EMSP, { countryCode: 'BE', partyId: 'CPO' }, 'BE-S1'))?.periodCount, 2, 'refused writes changed nothing');

    // The CPO's tariff we hold (pushed to our eMSP Receiver): €0.40/kWh.
    const theirTariff = aTariff({ country_code: 'BE', party_id: 'CPO', id: 'BE-KWH', elements: [aTariffElement({ price_components: [aPriceComponent({ price: 0.4, vat: 21, step_size: 1 })] })], last_updated: new Date().toISOString() });
    assert.equal(statusOf(await asCpo('PUT', `${cpo.peerEndpoint('tariffs', 'RECEIVER')}BE/CPO/BE-KWH`, theirTariff)), 1000);
    await sleep(1_000);
    const location = aCdrLocation({ id: 'BE-LOC', country: 'BEL' });
    // 12 kWh × €0.40 = €4.80 excl. VAT, €5.808 incl.: the right total.
    const right = aCdr({ country_code: 'BE', party_id: 'CPO', id: 'BE-CDR1', session_id: 'BE-S1', cdr_token: cdrToken, cdr_location: location, start_date_time: at(0), end_date_time: at(60), tariffs: [theirTariff], charging_periods: [period(0, 5), period(30, 7)], total_energy: 12, total_time: 1, total_cost: { excl_vat: 4.8, incl_vat: 5.808 }, total_energy_cost: { excl_vat: 4.8, incl_vat: 5.808 }, last_updated: at(61) });
    const posted = await asCpo('POST', cdrsUrl, right);
    assert.equal(statusOf(posted), 1000, JSON.stringify(posted.body));
    const locationUrl = posted.headers['location'];
    assert.ok(locationUrl, 'the answer says where the CDR is kept');
    const fetched = await asCpo('GET', locationUrl!);
    assert.equal((fetched.body as Envelope<Cdr>).data?.id, 'BE-CDR1');
    // The same CDR again (a retry after a lost answer): acknowledged, stored once.
    assert.equal(statusOf(await asCpo('POST', cdrsUrl, right)), 1000);
    // Same id, other content: refused; CDRs are immutable.
    const changed = await asCpo('POST', cdrsUrl, { ...right, total_cost: { excl_vat: 5, incl_vat: 6.05 }, total_energy_cost: { excl_vat: 5, incl_vat: 6.05 } });
    assert.equal(statusOf(changed), 2001);
    assert.match(messageOf(changed), /already/);
    // Totals that do not add up: refused naming total_cost.
    const broken = await asCpo('POST', cdrsUrl, { ...right, id: 'BE-CDR-BAD', total_energy_cost: { excl_vat: 9, incl_vat: 10.89 } });
    assert.equal(statusOf(broken), 2001);
    assert.match(messageOf(broken), /total_cost/);
    // A CDR charging €6.00 for the same 12 kWh: stored, and disputed (we compute €5.808 incl. VAT).
    const overcharged = { ...right, id: 'BE-CDR2', total_cost: { excl_vat: 6, incl_vat: 7.26 }, total_energy_cost: { excl_vat: 6, incl_vat: 7.26 } };
    assert.equal(statusOf(await asCpo('POST', cdrsUrl, overcharged)), 1000);

    const received = await eventually(() => listCdrs(cdrs.CdrRole.CDR_ROLE_EMSP), (list) => list.length >= 2, 'both CDRs stored');
    assert.deepEqual(received.map((stored) => stored.id).sort(), ['BE-CDR1', 'BE-CDR2'], 'each CDR once, the refused ones not at all');
    const disputes = (await rpc<billingService.ListDisputesRequest, billingService.ListDisputesResponse>(billingApi.listDisputes.bind(billingApi), billingService.ListDisputesRequest.fromPartial({ page: { limit: 10 } }))).disputes;
    assert.deepEqual(disputes.map((dispute) => dispute.cdrId), ['BE-CDR2'], 'only the overcharge is disputed');
    assert.equal(disputes[0]!.expectedInclVat.replace(/0+$/, ''), '5.808');
    assert.equal(disputes[0]!.chargedInclVat.replace(/0+$/, '').replace(/\.$/, ''), '7.26');
  });
  test('a hub reports the parties behind it (HubClientInfo); we keep it, show it, and refuse it from a non-hub', async () => {
    const hub = await startSimPartner({ countryCode: 'NL', partyId: 'HUB', role: 'HUB' });
    try {
      await connect(hub);
      const url = hub.peerEndpoint('hubclientinfo', 'RECEIVER');
      const info = { country_code: 'DE', party_id: 'XYZ', role: 'EMSP', status: 'OFFLINE', last_updated: new Date().toISOString() };
      assert.equal(statusOf(await hub.callPeer('PUT', `${url}DE/XYZ`, info)), 1000);
      assert.equal(((await hub.callPeer('GET', `${url}DE/XYZ`)).body as Envelope<{ status: string }>).data?.status, 'OFFLINE');
      const older = { ...info, status: 'CONNECTED', last_updated: '2020-01-01T00:00:00Z' };
      assert.equal(statusOf(await hub.callPeer('PUT', `${url}DE/XYZ`, older)), 1000);
      const listed = (await admin('GET', '/admin/hub-client-info')).body as { client_info: { party_id: string; status: string }[] };
      assert.deepEqual(listed.client_info.filter((entry) => entry.party_id === 'XYZ').map((entry) => entry.status), ['OFFLINE'], 'an older report changes nothing');
      assert.equal((await asEmsp('PUT', `${url}DE/XYZ`, info)).httpStatus, 404, 'only hubs report client info');
    } finally {
      await hub.close();
    }
  });
});
