import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { ConsumerGroups, dlqTopicName, Topics, type EventPublisher } from '@voltmesh/kafka';
import { cdrLocationSchema, sessionSchema, tariffSchema, type ChargingPeriod, type Session } from '@voltmesh/ocpi';
import { commandService, objects, sessions, sessionService } from '@voltmesh/proto';
import {
  aCdrToken,
  aConnector,
  aLocation,
  anEvse,
  aPriceComponent,
  aSession,
  aTariff,
  aTariffElement,
  aToken,
  collectEvents,
  grpcCall,
  grpcError,
  sleep,
  startServiceInProcess,
  testInfra,
  waitFor,
  type EventCollector,
  type InProcessService,
} from '@voltmesh/testing';
import { buildSessions } from '../src/app.js';
import { loadSessionsConfig, type SessionsConfig } from '../src/config.js';
import { startLocationStub, startTariffStub, startTokenStub } from './stubs.js';

const infra = testInfra();
const call = grpcCall;
const { SESSION_ROLE_CPO: CPO, SESSION_ROLE_EMSP: EMSP } = sessions.SessionRole;

describe('sessions service: the Session model on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let publisher: EventPublisher;
  let client: sessionService.SessionServiceClient;
  let commandClient: commandService.CommandServiceClient;
  let changes: EventCollector;
  let refused: EventCollector;
  let tokenStub: Awaited<ReturnType<typeof startTokenStub>>;
  let locationStub: Awaited<ReturnType<typeof startLocationStub>>;
  let tariffStub: Awaited<ReturnType<typeof startTariffStub>>;
  let config: SessionsConfig;
  const pricedByService: { periods: number; resumed: boolean }[] = [];

  const ownCpo = { countryCode: 'NL', partyId: 'VLT' };
  const partnerCpo = { countryCode: 'DE', partyId: 'CPO' };
  const partnerEmsp = { countryCode: 'DE', partyId: 'EMS' };
  const ownEmsp = { countryCode: 'NL', partyId: 'VLM' };
  // A partner eMSP's token (pushed over conn-partner, see the stub) and one of our own drivers'.
  const partnerToken = aToken({ uid: 'RFID0001', contract_id: 'DE-EMS-C00000001-X' });
  const driverToken = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'DRIVER1', type: 'APP_USER', contract_id: 'NL-VLM-C00000001-X' });
  const regular = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'AC-REG', type: 'REGULAR' });
  const fast = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'AC-FAST', type: 'PROFILE_FAST', elements: [aTariffElement({ price_components: [aPriceComponent({ price: 0.4 })] })] });
  const cheap = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'AC-CHEAP', type: 'PROFILE_CHEAP', elements: [aTariffElement({ price_components: [aPriceComponent({ price: 0.2 })] })] });
  const location = aLocation({
    country_code: 'NL',
    party_id: 'VLT',
    id: 'LOC1',
    name: 'Depot',
    time_zone: 'Europe/Amsterdam',
    evses: [
      anEvse({ uid: 'EVSE-1', evse_id: 'NL*VLT*E1', capabilities: ['CHARGING_PREFERENCES_CAPABLE'], connectors: [aConnector({ tariff_ids: ['AC-FAST', 'AC-REG', 'AC-CHEAP', 'GONE'] })] }),
      anEvse({ uid: 'EVSE-2', connectors: [aConnector()] }),
    ],
  });

  type Fields<T> = sessionService.DeepPartial<T>;
  const rpc = {
    started: (request: Fields<sessionService.ReportSessionStartedRequest>) =>
      call<sessionService.ReportSessionStartedRequest, sessionService.ReportSessionStartedResponse>(
        client.reportSessionStarted.bind(client),
        sessionService.ReportSessionStartedRequest.fromPartial({
          tokenParty: partnerEmsp,
          tokenUid: partnerToken.uid,
          tokenType: 'RFID',
          authMethod: 'AUTH_REQUEST',
          locationId: 'LOC1',
          evseUid: 'EVSE-1',
          connectorId: '1',
          startDateTime: '2026-03-01T10:00:00Z',
          ...request,
        }),
      ),
    progress: (request: Fields<sessionService.ReportSessionProgressRequest>) =>
      call<sessionService.ReportSessionProgressRequest, sessionService.ReportSessionProgressResponse>(client.reportSessionProgress.bind(client), sessionService.ReportSessionProgressRequest.fromPartial(request)),
    ended: (request: Fields<sessionService.ReportSessionEndedRequest>) =>
      call<sessionService.ReportSessionEndedRequest, sessionService.ReportSessionEndedResponse>(client.reportSessionEnded.bind(client), sessionService.ReportSessionEndedRequest.fromPartial(request)),
    get: (request: Fields<sessionService.GetSessionRequest>) =>
      call<sessionService.GetSessionRequest, sessionService.GetSessionResponse>(client.getSession.bind(client), sessionService.GetSessionRequest.fromPartial(request)),
    list: (request: Fields<sessionService.ListSessionsRequest>) =>
      call<sessionService.ListSessionsRequest, sessionService.ListSessionsResponse>(client.listSessions.bind(client), sessionService.ListSessionsRequest.fromPartial(request)),
    preferences: (request: Fields<sessionService.SetChargingPreferencesRequest>) =>
      call<sessionService.SetChargingPreferencesRequest, sessionService.SetChargingPreferencesResponse>(
        client.setChargingPreferences.bind(client),
        sessionService.SetChargingPreferencesRequest.fromPartial({ cpo: ownCpo, emsp: partnerEmsp, connectionId: 'conn-partner', ...request }),
      ),
    receiveCommand: (request: Fields<commandService.ReceivePartnerCommandRequest>) =>
      call<commandService.ReceivePartnerCommandRequest, commandService.ReceivePartnerCommandResponse>(
        commandClient.receivePartnerCommand.bind(commandClient),
        commandService.ReceivePartnerCommandRequest.fromPartial({ connectionId: 'conn-partner', emsp: partnerEmsp, cpo: ownCpo, timeoutSeconds: 30, ...request }),
      ),
  };

  const minutes = (count: number, base = '2026-03-01T10:00:00.000Z') => new Date(Date.parse(base) + count * 60_000).toISOString();
  const period = (startMinute: number, kwh: number, base?: string): ChargingPeriod => ({
    start_date_time: minutes(startMinute, base),
    dimensions: [
      { type: 'ENERGY', volume: kwh },
      { type: 'TIME', volume: 0.1 },
    ],
  });
  const ocpi = (session: sessions.Session | undefined): Session => {
    assert.ok(session, 'a session');
    return sessionSchema.parse(JSON.parse(session.ocpiJson));
  };
  const decode = (event: { value: Buffer }) => sessions.SessionChanged.decode(event.value).session!;
  const eventsOf = (key: string) => changes.events.filter((event) => event.key === key).map(decode);
  const nextChange = (key: string, match: (session: sessions.Session) => boolean, timeoutMs?: number) => changes.next((event) => event.key === key && match(decode(event)), timeoutMs).then(decode);

  /** What the gateway publishes for a partner CPO's PUT or PATCH. */
  const partnerWrite = (method: 'PUT' | 'PATCH', body: object, fields: Partial<sessions.PartnerSessionWrite> = {}) => {
    const write = sessions.PartnerSessionWrite.fromPartial({
      connectionId: 'conn-cpo',
      party: partnerCpo,
      sessionId: 'PS1',
      method: method === 'PUT' ? objects.WriteMethod.WRITE_METHOD_PUT : objects.WriteMethod.WRITE_METHOD_PATCH,
      ocpiJson: JSON.stringify(body),
      receivedAt: new Date().toISOString(),
      ...fields,
    });
    return publisher.publish({
      topic: Topics.partnerSession,
      key: `${write.party?.countryCode}*${write.party?.partyId}*${write.sessionId}`,
      type: 'voltmesh.sessions.v1.PartnerSessionWrite',
      value: sessions.PartnerSessionWrite.encode(write).finish(),
    });
  };

  /** A WatchSessions stream: the sessions it sent, and how it ended. */
  const watch = (request: Fields<sessionService.WatchSessionsRequest>) => {
    const stream = client.watchSessions(sessionService.WatchSessionsRequest.fromPartial(request));
    const received: sessions.Session[] = [];
    stream.on('data', (message: sessionService.WatchSessionsResponse) => received.push(message.session!));
    const ended = new Promise<ServiceError | 'end'>((resolve) => {
      stream.on('end', () => resolve('end'));
      stream.on('error', (error: ServiceError) => resolve(error));
    });
    return { received, ended, cancel: () => stream.cancel() };
  };

  before(async () => {
    [tokenStub, locationStub, tariffStub] = await Promise.all([startTokenStub(), startLocationStub(), startTariffStub()]);
    tokenStub.add(partnerToken, objects.Owner.OWNER_PARTNER);
    tokenStub.add(driverToken, objects.Owner.OWNER_OWN);
    locationStub.add(location);
    for (const tariff of [regular, fast, cheap]) tariffStub.add(tariff);
    config = loadSessionsConfig({
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: infra.unique('sessions'),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      OWN_PARTIES: 'CPO:NL*VLT,EMSP:NL*VLM',
      AUTHORIZATION_GRPC_ADDRESS: tokenStub.address,
      LOCATIONS_GRPC_ADDRESS: locationStub.address,
      TARIFFS_GRPC_ADDRESS: tariffStub.address,
      SWEEP_INTERVAL_MS: '200',
      REPUBLISH_INTERVAL_MS: '1000',
    });
    changes = await collectEvents(infra.kafkaBrokers, Topics.session, infra.unique('session-collector'));
    const dlq = { name: dlqTopicName(ConsumerGroups.sessionsPartnerCommands), partitions: 1, description: 'partner events the service refused' };
    refused = await collectEvents(infra.kafkaBrokers, dlq, infra.unique('dlq-collector'));
    const probe = { priced: (periods: number, resumed: boolean) => void pricedByService.push({ periods, resumed }) };
    service = await startServiceInProcess('sessions-test', (deps) => buildSessions(config, deps, { pricing: probe }), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ publisher } = service);
    client = new sessionService.SessionServiceClient(service.address, credentials.createInsecure());
    commandClient = new commandService.CommandServiceClient(service.address, credentials.createInsecure());
  });

  after(async () => {
    client.close();
    commandClient.close();
    await changes.stop();
    await refused.stop();
    await service.stop();
    await Promise.all([tokenStub.server.stop(), locationStub.server.stop(), tariffStub.server.stop()]);
  });

  test('CSMS start → progress → end: SessionChanged after each stored change, in revision order, with the live cost; replays change nothing', async () => {
    const key = 'NL*VLT*CS-1';
    const pricingCalls = tariffStub.calls.length;
    const started = await rpc.started({ sessionId: 'cs-1', authorizationReference: 'ref-1', meterId: 'M-1' });
    assert.equal(started.changed, true);
    const s0 = started.session!;
    assert.deepEqual([s0.role, s0.id, s0.cpo, s0.emsp, s0.contractId, s0.status, s0.connectionId, s0.timeZone, s0.periodCount], [CPO, 'CS-1', ownCpo, partnerEmsp, 'DE-EMS-C00000001-X', 'ACTIVE', '', 'Europe/Amsterdam', 0]);
    const opened = ocpi(s0);
    assert.deepEqual(opened.cdr_token, aCdrToken({ uid: 'RFID0001', contract_id: 'DE-EMS-C00000001-X' }));
    assert.deepEqual([opened.auth_method, opened.authorization_reference, opened.meter_id, opened.currency, opened.kwh, opened.total_cost], ['AUTH_REQUEST', 'REF-1', 'M-1', 'EUR', 0, undefined]);
    const cdrLocation = cdrLocationSchema.parse(JSON.parse(s0.cdrLocationJson));
    assert.deepEqual([cdrLocation.id, cdrLocation.name, cdrLocation.evse_uid, cdrLocation.evse_id, cdrLocation.connector_id], ['LOC1', 'Depot', 'EVSE-1', 'NL*VLT*E1', '1']);
    assert.equal(tariffSchema.parse(JSON.parse(s0.tariffJson)).id, 'AC-REG', 'REGULAR, not the PROFILE_FAST tariff listed first');
    assert.equal(s0.price, undefined, 'nothing to price yet');

    const replay = await rpc.started({ sessionId: 'CS-1', authorizationReference: 'ref-1', meterId: 'M-1' });
    assert.deepEqual([replay.changed, replay.session?.revision], [false, s0.revision]);
    await assert.rejects(rpc.started({ sessionId: 'CS-1', authorizationReference: 'ref-1', meterId: 'M-1', evseUid: 'EVSE-2' }), grpcError(status.ALREADY_EXISTS, /started already with other evse_uid/));

    const p1 = await rpc.progress({ sessionId: 'CS-1', chargingPeriodsJson: JSON.stringify([period(0, 1.5), period(5, 2)]), kwh: '3.5', at: minutes(9) });
    assert.equal(p1.changed, true);
    const progressed = ocpi(p1.session);
    assert.deepEqual([progressed.kwh, progressed.charging_periods.length, progressed.total_cost], [3.5, 2, { excl_vat: 0.875, incl_vat: 1.0588 }]);
    assert.deepEqual(
      progressed.charging_periods.map((stored) => stored.tariff_id),
      ['AC-REG', 'AC-REG'],
      'periods are under the tariff in force at the start',
    );
    assert.deepEqual([p1.session?.price?.totalCost, p1.session?.periodCount], [{ exclVat: '0.8750', inclVat: '1.0588' }, 2]);

    const again = await rpc.progress({ sessionId: 'CS-1', chargingPeriodsJson: JSON.stringify([period(0, 1.5), period(5, 2)]), kwh: '3.5', at: minutes(9) });
    assert.deepEqual([again.changed, again.session?.revision], [false, p1.session?.revision]);
    await assert.rejects(
      rpc.progress({ sessionId: 'CS-1', chargingPeriodsJson: JSON.stringify([period(5, 9)]), kwh: '12', at: minutes(10) }),
      grpcError(status.INVALID_ARGUMENT, /^charging_periods_json\[0\]\.start_date_time: .*out of order or overlapping/),
    );
    await assert.rejects(
      rpc.progress({ sessionId: 'CS-1', chargingPeriodsJson: JSON.stringify([period(3, 1)]), at: minutes(10) }),
      grpcError(status.INVALID_ARGUMENT, /^charging_periods_json\[0\]\.start_date_time: .*out of order or overlapping/),
    );
    await assert.rejects(
      rpc.progress({ sessionId: 'CS-1', chargingPeriodsJson: JSON.stringify([{ ...period(10, 1), tariff_id: 'AC-FAST' }]), at: minutes(11) }),
      grpcError(status.INVALID_ARGUMENT, /^charging_periods_json\[0\]\.tariff_id: AC-FAST is not the session's tariff/),
    );

    const end = await rpc.ended({ sessionId: 'CS-1', chargingPeriodsJson: JSON.stringify([period(10, 1.5)]), kwh: '5', endDateTime: minutes(20) });
    const ended = ocpi(end.session);
    assert.deepEqual([end.changed, ended.status, ended.end_date_time, ended.kwh, ended.total_cost], [true, 'COMPLETED', minutes(20), 5, { excl_vat: 1.25, incl_vat: 1.5125 }]);
    const endReplay = await rpc.ended({ sessionId: 'CS-1', chargingPeriodsJson: JSON.stringify([period(10, 1.5)]), kwh: '5', endDateTime: minutes(20) });
    assert.deepEqual([endReplay.changed, endReplay.session?.revision], [false, end.session?.revision]);
    await assert.rejects(rpc.ended({ sessionId: 'CS-1', endDateTime: minutes(25) }), grpcError(status.FAILED_PRECONDITION, /ended already \(COMPLETED/));
    await assert.rejects(rpc.progress({ sessionId: 'CS-1', kwh: '6', at: minutes(30) }), grpcError(status.FAILED_PRECONDITION, /is COMPLETED: no progress after it ended/));

    // Resume protocol: the end sent only the last stored period and the new one.
    assert.deepEqual(
      tariffStub.calls.slice(pricingCalls).map((priced) => [priced.periods, priced.resumed, priced.endDateTime]),
      [
        [2, false, minutes(9)],
        [2, true, minutes(20)],
      ],
    );

    await nextChange(key, (session) => session.status === 'COMPLETED');
    await sleep(300);
    const published = eventsOf(key);
    assert.deepEqual(
      published.map((session) => [session.status, session.periodCount]),
      [
        ['ACTIVE', 0],
        ['ACTIVE', 2],
        ['COMPLETED', 3],
      ],
      'one event per stored change, none for replays',
    );
    const revisions = published.map((session) => Number(session.revision));
    assert.ok(revisions[0]! < revisions[1]! && revisions[1]! < revisions[2]!, `revisions increase: ${revisions.join(', ')}`);
    assert.equal(ocpi(published[2]).charging_periods.length, 3, 'the event carries the whole session');
  });

  test('pricing against a tariffs service without resumable pricing (empty state): every period is sent, the price is the same', async () => {
    tariffStub.mode.resume = false;
    try {
      await rpc.started({ sessionId: 'CS-2', startDateTime: minutes(0) });
      const from = tariffStub.calls.length;
      await rpc.progress({ sessionId: 'CS-2', chargingPeriodsJson: JSON.stringify([period(0, 1.5), period(5, 2)]), kwh: '3.5', at: minutes(9) });
      await rpc.progress({ sessionId: 'CS-2', chargingPeriodsJson: JSON.stringify([period(9, 1)]), kwh: '4.5', at: minutes(12) });
      const end = await rpc.ended({ sessionId: 'CS-2', chargingPeriodsJson: JSON.stringify([period(12, 0.5)]), kwh: '5', endDateTime: minutes(20) });
      assert.deepEqual(
        tariffStub.calls.slice(from).map((priced) => [priced.periods, priced.resumed]),
        [
          [2, false],
          [3, false],
          [4, false],
        ],
      );
      assert.deepEqual(ocpi(end.session).total_cost, { excl_vat: 1.25, incl_vat: 1.5125 });
    } finally {
      tariffStub.mode.resume = true;
    }
  });

  test('PENDING → ACTIVE moves start_date_time; our own driver in the default currency when no tariff applies; INVALID ends without billing', async () => {
    const pending = await rpc.started({ sessionId: 'CS-3', status: 'PENDING', tokenParty: ownEmsp, tokenUid: 'DRIVER1', tokenType: 'APP_USER', authMethod: 'COMMAND', evseUid: 'EVSE-2' });
    assert.deepEqual([pending.session?.status, pending.session?.tariffJson, ocpi(pending.session).currency, pending.session?.contractId], ['PENDING', '', 'EUR', 'NL-VLM-C00000001-X']);
    const active = await rpc.progress({ sessionId: 'CS-3', status: 'ACTIVE', at: minutes(3) });
    assert.deepEqual([ocpi(active.session).status, ocpi(active.session).start_date_time], ['ACTIVE', minutes(3)]);
    const progressed = await rpc.progress({ sessionId: 'CS-3', chargingPeriodsJson: JSON.stringify([period(3, 2)]), kwh: '2', at: minutes(5) });
    assert.deepEqual([ocpi(progressed.session).total_cost, progressed.session?.price], [undefined, undefined], 'no tariff: no price');
    const invalid = await rpc.ended({ sessionId: 'CS-3', endDateTime: minutes(6), status: 'INVALID' });
    assert.equal(ocpi(invalid.session).status, 'INVALID');
  });

  test('CSMS refusals: unknown token, location, EVSE or connector, unknown session, bad fields', async () => {
    await assert.rejects(rpc.started({ sessionId: 'X-1', tokenUid: 'NOBODY' }), grpcError(status.FAILED_PRECONDITION, /^token_uid: the authorization service knows no token NOBODY/));
    await assert.rejects(rpc.started({ sessionId: 'X-1', locationId: 'LOC9' }), grpcError(status.FAILED_PRECONDITION, /^location_id: .* no location LOC9/));
    await assert.rejects(rpc.started({ sessionId: 'X-1', evseUid: 'EVSE-9' }), grpcError(status.FAILED_PRECONDITION, /^evse_uid: location LOC1 has no EVSE EVSE-9/));
    await assert.rejects(rpc.started({ sessionId: 'X-1', connectorId: '7' }), grpcError(status.FAILED_PRECONDITION, /^connector_id: .* has no connector 7/));
    await assert.rejects(rpc.started({ sessionId: '' }), grpcError(status.INVALID_ARGUMENT, /^session_id: required/));
    await assert.rejects(rpc.started({ sessionId: 'X-1', status: 'COMPLETED' }), grpcError(status.INVALID_ARGUMENT, /^status: must be one of ACTIVE, PENDING, RESERVATION/));
    await assert.rejects(rpc.started({ sessionId: 'X-1', authMethod: 'MAGIC' }), grpcError(status.INVALID_ARGUMENT, /^auth_method: must be one of/));
    await assert.rejects(rpc.started({ sessionId: 'X-1', startDateTime: 'yesterday' }), grpcError(status.INVALID_ARGUMENT, /^start_date_time: must be an RFC 3339/));
    await assert.rejects(rpc.started({ sessionId: 'X-1', cpo: partnerCpo }), grpcError(status.INVALID_ARGUMENT, /^cpo: DE\*CPO is not one of our CPO parties/));
    await assert.rejects(rpc.progress({ sessionId: 'NO-SUCH', kwh: '1' }), grpcError(status.NOT_FOUND, /unknown session NL\*VLT\*NO-SUCH/));
    await assert.rejects(rpc.progress({ sessionId: 'CS-1', kwh: 'lots' }), grpcError(status.INVALID_ARGUMENT, /^kwh: must be a non-negative decimal/));
    await assert.rejects(rpc.progress({ sessionId: 'CS-1', chargingPeriodsJson: '[{"start_date_time":"2026-03-01T10:00:00Z","dimensions":[]}]' }), grpcError(status.INVALID_ARGUMENT, /^charging_periods_json\[0\]\.dimensions: must have at least one dimension/));
    await assert.rejects(rpc.ended({ sessionId: 'NO-SUCH', endDateTime: minutes(1) }), grpcError(status.NOT_FOUND, /unknown session/));
  });

  test("partner CPO sessions of our tokens: PUT stores, PATCH appends periods, replays and older writes change nothing, what cannot apply goes to the DLQ", async () => {
    const key = 'DE*CPO*PS1';
    const base = '2026-03-02T08:00:00.000Z';
    const put = aSession({
      country_code: 'DE',
      party_id: 'CPO',
      id: 'PS1',
      start_date_time: base,
      kwh: 1,
      cdr_token: aCdrToken({ country_code: 'NL', party_id: 'VLM', uid: 'DRIVER1', type: 'APP_USER', contract_id: 'NL-VLM-C00000001-X' }),
      charging_periods: [period(0, 1, base)],
      last_updated: minutes(1, base),
    });
    await partnerWrite('PUT', put);
    const created = await nextChange(key, () => true);
    assert.deepEqual([created.role, created.connectionId, created.cpo, created.emsp, created.contractId, created.periodCount, created.price], [EMSP, 'conn-cpo', partnerCpo, ownEmsp, 'NL-VLM-C00000001-X', 1, undefined]);

    const patch = { kwh: 3, charging_periods: [period(5, 1, base), period(10, 1, base)], last_updated: minutes(11, base) };
    await partnerWrite('PATCH', patch);
    const patched = await nextChange(key, (session) => session.periodCount === 3);
    assert.deepEqual(ocpi(patched).kwh, 3);
    assert.deepEqual(
      ocpi(patched).charging_periods.map((stored) => stored.start_date_time),
      [minutes(0, base), minutes(5, base), minutes(10, base)],
      'appended to the stored periods',
    );

    // A replayed PATCH, an older PUT: nothing. Then refusals, each to the DLQ in order (same key, same partition).
    await partnerWrite('PATCH', patch);
    await partnerWrite('PUT', { ...put, kwh: 0.5, last_updated: minutes(0, base) });
    await partnerWrite('PATCH', { charging_periods: [period(7, 1, base)], last_updated: minutes(12, base) });
    const outOfOrder = await refused.next((event) => event.key === key);
    assert.equal(outOfOrder.headers['dlq-error-code'], 'INVALID_ARGUMENT');
    assert.match(outOfOrder.headers['dlq-error'] ?? '', /^ocpi_json\.charging_periods\[0\]\.start_date_time: .*out of order or overlapping/);
    await partnerWrite('PATCH', { kwh: 9, last_updated: minutes(13, base) }, { connectionId: 'conn-intruder' });
    await partnerWrite('PATCH', { currency: 'CHF', last_updated: minutes(13, base) });
    await partnerWrite('PATCH', { kwh: 1, last_updated: minutes(13, base) }, { sessionId: 'PS-UNKNOWN' });
    await waitFor('three more refusals', async () => refused.events.filter((event) => event.key.startsWith('DE*CPO*PS')).length === 4, 15_000);
    // Same key, same partition: the refusals of PS1 reach the DLQ in the order they were written.
    const refusals = refused.events.filter((event) => event.key === key).map((event) => [event.headers['dlq-error-code'], event.headers['dlq-error'] ?? '']);
    assert.deepEqual(refusals.map(([code]) => code), ['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'FAILED_PRECONDITION']);
    assert.match(refusals[1]?.[1] ?? '', /belongs to another connection than conn-intruder/);
    assert.match(refusals[2]?.[1] ?? '', /^currency mismatch: session PS1 is in EUR, the write in CHF/);
    const unknown = refused.events.find((event) => event.key === 'DE*CPO*PS-UNKNOWN');
    assert.equal(unknown?.headers['dlq-error-code'], 'NOT_FOUND');
    assert.match(unknown?.headers['dlq-error'] ?? '', /^PATCH of unknown session DE\*CPO\*PS-UNKNOWN/);
    assert.equal(eventsOf(key).length, 2, 'the replay, the older PUT and the refusals published nothing');
    assert.equal(ocpi((await rpc.get({ role: EMSP, cpo: partnerCpo, sessionId: 'ps1' })).session).kwh, 3);

    // A newer PUT replaces everything, periods included.
    await partnerWrite('PUT', { ...put, kwh: 4, status: 'COMPLETED', end_date_time: minutes(30, base), charging_periods: [period(0, 4, base)], last_updated: minutes(31, base) });
    const replaced = await nextChange(key, (session) => session.status === 'COMPLETED');
    assert.deepEqual([replaced.periodCount, ocpi(replaced).charging_periods, ocpi(replaced).kwh], [1, [period(0, 4, base)], 4]);
  });

  test('GetSession and ListSessions: by role, party, contract and connection; paged by offset and limit on last_updated', async () => {
    await assert.rejects(rpc.get({ role: EMSP, cpo: ownCpo, sessionId: 'CS-1' }), grpcError(status.NOT_FOUND, /unknown session NL\*VLT\*CS-1/));
    assert.equal((await rpc.get({ role: CPO, cpo: ownCpo, sessionId: 'cs-1' })).session?.id, 'CS-1');
    assert.equal((await rpc.get({ cpo: ownCpo, sessionId: 'CS-1' })).session?.role, CPO, 'unspecified: either role');
    await assert.rejects(rpc.get({ cpo: ownCpo, sessionId: '' }), grpcError(status.INVALID_ARGUMENT, /^session_id: required/));

    const ids = (reply: sessionService.ListSessionsResponse) => reply.sessions.map((session) => session.id);
    const cpoSessions = await rpc.list({ role: CPO, cpo: ownCpo });
    assert.deepEqual(ids(cpoSessions).sort(), ['CS-1', 'CS-2', 'CS-3']);
    assert.deepEqual(cpoSessions.page, { total: 3, limit: 50 });
    const lastUpdated = cpoSessions.sessions.map((session) => ocpi(session).last_updated);
    assert.deepEqual(lastUpdated, [...lastUpdated].sort(), 'ordered by last_updated');
    const first = await rpc.list({ role: CPO, page: { offset: 0, limit: 2 } });
    const second = await rpc.list({ role: CPO, page: { offset: 2, limit: 2 } });
    assert.deepEqual([...ids(first), ...ids(second)], ids(cpoSessions));
    assert.deepEqual([first.page?.total, first.page?.limit, second.sessions.length], [3, 2, 1]);
    assert.deepEqual((await rpc.list({ page: { limit: 5_000 } })).page?.limit, 1_000, 'the cap');
    const since = await rpc.list({ role: CPO, page: { dateFrom: lastUpdated[1], dateTo: lastUpdated[2] } });
    assert.deepEqual(ids(since), [ids(cpoSessions)[1]], 'date_from inclusive, date_to exclusive');

    assert.deepEqual(ids(await rpc.list({ role: EMSP })), ['PS1']);
    assert.deepEqual(ids(await rpc.list({ connectionId: 'conn-cpo' })), ['PS1']);
    assert.deepEqual(ids(await rpc.list({ contractId: 'nl-vlm-c00000001-x' })).sort(), ['CS-3', 'PS1'], 'a driver contract in both roles');
    assert.deepEqual(ids(await rpc.list({ emsp: partnerEmsp, role: CPO })).sort(), ['CS-1', 'CS-2']);
    assert.deepEqual(ids(await rpc.list({ cpo: partnerCpo })), ['PS1']);
    await assert.rejects(rpc.list({ page: { dateFrom: 'soon' } }), grpcError(status.INVALID_ARGUMENT, /^page.date_from/));
  });

  test('WatchSessions: the open sessions of a contract, then every change; one session by its id; a filter is required', async () => {
    await rpc.started({ sessionId: 'CS-W', tokenParty: ownEmsp, tokenUid: 'DRIVER1', tokenType: 'APP_USER', evseUid: 'EVSE-2', startDateTime: minutes(0) });
    const byContract = watch({ contractId: 'NL-VLM-C00000001-X' });
    const bySession = watch({ cpo: ownCpo, sessionId: 'cs-w' });
    await waitFor('the current state first', async () => byContract.received.length === 1 && bySession.received.length === 1, 5_000);
    assert.deepEqual([byContract.received[0]?.id, bySession.received[0]?.id], ['CS-W', 'CS-W'], 'only the open session of the contract (CS-3 ended, PS1 completed)');
    await rpc.progress({ sessionId: 'CS-W', chargingPeriodsJson: JSON.stringify([period(0, 2)]), kwh: '2', at: minutes(4) });
    await rpc.ended({ sessionId: 'CS-W', endDateTime: minutes(5), kwh: '2' });
    await waitFor('the changes', async () => byContract.received.length === 3 && bySession.received.length === 3, 5_000);
    assert.deepEqual(
      bySession.received.map((session) => [session.status, session.periodCount]),
      [
        ['ACTIVE', 0],
        ['ACTIVE', 1],
        ['COMPLETED', 1],
      ],
    );
    assert.deepEqual(byContract.received.map((session) => session.revision), bySession.received.map((session) => session.revision));
    byContract.cancel();
    bySession.cancel();
    const invalid = watch({});
    const ended = await invalid.ended;
    assert.notEqual(ended, 'end');
    assert.equal((ended as ServiceError).code, status.INVALID_ARGUMENT);
  });

  test("SetChargingPreferences: the token's eMSP only, a capable EVSE, an ACTIVE or PENDING session; the profile rules", async () => {
    await rpc.started({ sessionId: 'CS-P', startDateTime: new Date().toISOString() });
    const prefs = (body: object) => JSON.stringify(body);
    const departure = new Date(Date.now() + 3_600_000).toISOString();
    assert.equal((await rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'REGULAR' }) })).result, 'ACCEPTED');
    assert.equal((await rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'FAST' }) })).result, 'ACCEPTED');
    assert.equal((await rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'GREEN', departure_time: departure, energy_need: 10 }) })).result, 'PROFILE_TYPE_NOT_SUPPORTED');
    assert.equal((await rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'CHEAP' }) })).result, 'DEPARTURE_REQUIRED');
    assert.equal((await rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'CHEAP', departure_time: departure }) })).result, 'ENERGY_NEED_REQUIRED');
    assert.equal((await rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'CHEAP', departure_time: departure, energy_need: 10 }) })).result, 'ACCEPTED');

    await assert.rejects(rpc.preferences({ sessionId: 'NO-SUCH', preferencesJson: prefs({ profile_type: 'REGULAR' }) }), grpcError(status.NOT_FOUND, /unknown session NL\*VLT\*NO-SUCH/));
    await assert.rejects(rpc.preferences({ sessionId: 'CS-P', emsp: { countryCode: 'FR', partyId: 'XYZ' }, preferencesJson: prefs({ profile_type: 'REGULAR' }) }), grpcError(status.NOT_FOUND, /unknown session NL\*VLT\*CS-P/));
    await assert.rejects(rpc.preferences({ sessionId: 'CS-P', connectionId: 'conn-other', preferencesJson: prefs({ profile_type: 'REGULAR' }) }), grpcError(status.NOT_FOUND, /unknown session NL\*VLT\*CS-P/));
    await assert.rejects(rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'SLOW' }) }), grpcError(status.INVALID_ARGUMENT, /^preferences_json: profile_type/));
    await rpc.started({ sessionId: 'CS-P2', evseUid: 'EVSE-2', startDateTime: new Date().toISOString() });
    await assert.rejects(rpc.preferences({ sessionId: 'CS-P2', preferencesJson: prefs({ profile_type: 'REGULAR' }) }), grpcError(status.FAILED_PRECONDITION, /^EVSE EVSE-2 is not CHARGING_PREFERENCES_CAPABLE/));
    await rpc.ended({ sessionId: 'CS-P', endDateTime: new Date(Date.now() + 1_000).toISOString() });
    assert.equal((await rpc.preferences({ sessionId: 'CS-P', preferencesJson: prefs({ profile_type: 'REGULAR' }) })).result, 'NOT_POSSIBLE');
  });

  test("commands and sessions share one record: a partner's STOP_SESSION is for the token's eMSP over its connection, claimed or reported", async () => {
    const stop = async (sessionId: string, fields: Fields<commandService.ReceivePartnerCommandRequest> = {}) =>
      JSON.parse((await rpc.receiveCommand({ type: 'STOP_SESSION', ocpiJson: JSON.stringify({ response_url: 'https://emsp.example/commands/9', session_id: sessionId }), ...fields })).commandResponseJson).result as string;
    // Reported by the CSMS without any command: the token's eMSP and connection hold it.
    await rpc.started({ sessionId: 'CS-S', startDateTime: minutes(0) });
    assert.equal(await stop('CS-S'), 'ACCEPTED');
    assert.equal(await stop('CS-S', { connectionId: 'conn-other' }), 'UNKNOWN_SESSION');
    assert.equal(await stop('CS-S', { emsp: { countryCode: 'FR', partyId: 'XYZ' } }), 'UNKNOWN_SESSION');

    // Claimed by the START_SESSION result before the CSMS reports it; the report then keeps the holder.
    const startBody = { response_url: 'https://emsp.example/commands/8', token: partnerToken, location_id: 'LOC1', evse_uid: 'EVSE-1', connector_id: '1' };
    const command = (await rpc.receiveCommand({ type: 'START_SESSION', ocpiJson: JSON.stringify(startBody) })).command!;
    await call<commandService.ReportCommandResultRequest, commandService.ReportCommandResultResponse>(commandClient.reportCommandResult.bind(commandClient), { commandId: command.id, result: 'ACCEPTED', message: '', sessionId: 'cs-claimed', evseUid: '' });
    assert.equal(await stop('CS-CLAIMED'), 'ACCEPTED');
    await assert.rejects(rpc.get({ cpo: ownCpo, sessionId: 'CS-CLAIMED' }), grpcError(status.NOT_FOUND, /unknown session/), 'a claim is no session');
    const reported = await rpc.started({ sessionId: 'CS-CLAIMED', authMethod: 'COMMAND', authorizationReference: command.authorizationReference, startDateTime: minutes(0) });
    assert.equal(reported.changed, true);
    assert.equal(await stop('CS-CLAIMED'), 'ACCEPTED');
    assert.equal(await stop('CS-CLAIMED', { connectionId: 'conn-other' }), 'UNKNOWN_SESSION');
  });

  test('a SessionChanged lost between save and publish is republished by the sweeper', async () => {
    const key = 'NL*VLT*CS-1';
    const before = eventsOf(key).length;
    // As if the process died after a save: the due entry stays and comes due.
    await service.db.collection('session_due').updateOne({ _id: key as never }, { $set: { due_at: new Date() } }, { upsert: true });
    await waitFor('the republished event', async () => eventsOf(key).length === before + 1, 5_000);
    const [previous, republished] = eventsOf(key).slice(-2);
    assert.equal(republished?.revision, previous?.revision, 'the current state again, same revision');
    await waitFor('the due entry to clear', async () => !(await service.db.collection('session_due').findOne({ _id: key as never })), 5_000);
  });

  test('a session with hundreds of periods priced live: each update sends the pricing engine the same few periods and costs about the same', async () => {
    const updates = Number(process.env['SESSIONS_PERF_UPDATES'] ?? 300);
    const base = '2026-03-03T06:00:00.000Z';
    await rpc.started({ sessionId: 'CS-LONG', startDateTime: base });
    const sentFrom = pricedByService.length;
    const times: number[] = [];
    for (let index = 0; index < updates; index += 1) {
      const started = process.hrtime.bigint();
      const reply = await rpc.progress({ sessionId: 'CS-LONG', chargingPeriodsJson: JSON.stringify([period(index, 0.1, base)]), kwh: ((index + 1) / 10).toFixed(1), at: minutes(index + 0.5, base) });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      assert.equal(reply.session?.periodCount, index + 1);
    }
    const sent = pricedByService.slice(sentFrom);
    assert.deepEqual(sent[0], { periods: 1, resumed: false });
    assert.ok(
      sent.slice(1).every((priced) => priced.periods === 2 && priced.resumed),
      `after the first, every pricing sends the last stored period and the new one: ${JSON.stringify(sent.slice(1, 5))}`,
    );
    const last = await rpc.get({ cpo: ownCpo, sessionId: 'CS-LONG' });
    const session = ocpi(last.session);
    assert.equal(session.charging_periods.length, updates);
    assert.deepEqual(session.total_cost, { excl_vat: Number((updates * 0.1 * 0.25).toFixed(4)), incl_vat: Number((updates * 0.1 * 0.25 * 1.21).toFixed(4)) });
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const early = median(times.slice(10, 60));
    const late = median(times.slice(-50));
    console.log(`ReportSessionProgress, median ms per update: periods 10-60 ${early.toFixed(1)}, last 50 (up to ${updates}) ${late.toFixed(1)}`);
    // Rewriting (and re-reading) every period would make the late updates several times slower.
    assert.ok(late < early * 2.5 + 15, `the time per update stays flat: ${early.toFixed(1)} ms early, ${late.toFixed(1)} ms late`);
  });
});
