import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { credentials, status } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import { ConsumerGroups, dlqTopicName, Topics, type EventPublisher } from '@voltmesh/kafka';
import { chargingProfileService, commands, commandService, objects, sessions, sessionService } from '@voltmesh/proto';
import {
  aCdrToken,
  aConnector,
  aLocation,
  anEvse,
  aSession,
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
import { clearProfileSchema, getActiveChargingProfileSchema, setChargingProfileSchema } from '@voltmesh/ocpi';
import { startLocationStub, startTariffStub, startTokenStub } from './stubs.js';

const infra = testInfra();
const call = grpcCall;
const { COMMAND_STATE_REQUESTED: REQUESTED, COMMAND_STATE_ACCEPTED: ACCEPTED, COMMAND_STATE_COMPLETED: COMPLETED, COMMAND_STATE_TIMEOUT: TIMEOUT } = commands.CommandState;
const { COMMAND_STATE_REJECTED: REJECTED, COMMAND_STATE_UNKNOWN_SESSION: UNKNOWN_SESSION } = commands.CommandState;
const { COMMAND_DIRECTION_OUTBOUND: OUTBOUND, COMMAND_DIRECTION_INBOUND: INBOUND } = commands.CommandDirection;

describe('sessions service: charging profiles (OCPI 2.2.1 §11) on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let db: Db;
  let publisher: EventPublisher;
  let profiles: chargingProfileService.ChargingProfileServiceClient;
  let commandClient: commandService.CommandServiceClient;
  let sessionClient: sessionService.SessionServiceClient;
  let changes: EventCollector;
  let pushes: EventCollector;
  let refused: EventCollector;
  let tokenStub: Awaited<ReturnType<typeof startTokenStub>>;
  let locationStub: Awaited<ReturnType<typeof startLocationStub>>;
  let tariffStub: Awaited<ReturnType<typeof startTariffStub>>;
  let config: SessionsConfig;

  const ownCpo = { countryCode: 'NL', partyId: 'VLT' };
  const ownEmsp = { countryCode: 'NL', partyId: 'VLM' };
  const partnerCpo = { countryCode: 'DE', partyId: 'CPO' };
  const partnerEmsp = { countryCode: 'DE', partyId: 'EMS' };
  // A partner eMSP's token, pushed over conn-partner (see the stub).
  const partnerToken = aToken({ uid: 'RFID0001', contract_id: 'DE-EMS-C00000001-X' });
  const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'LOC1', evses: [anEvse({ uid: 'EVSE-1', connectors: [aConnector()] })] });

  const limit = (watts: number, start = 0) => ({ charging_rate_unit: 'W', charging_profile_period: [{ start_period: start, limit: watts }] });
  const activeProfile = (watts: number) => ({ start_date_time: '2026-05-10T10:00:00Z', charging_profile: { ...limit(watts), duration: 900 } });
  /** As it is stored: the DateTime in our emitted form. */
  const storedActive = (watts: number) => ({ ...activeProfile(watts), start_date_time: '2026-05-10T10:00:00.000Z' });

  type Fields<T> = chargingProfileService.DeepPartial<T>;
  const rpc = {
    set: (request: Fields<chargingProfileService.SetChargingProfileRequest>) =>
      call<chargingProfileService.SetChargingProfileRequest, chargingProfileService.SetChargingProfileResponse>(
        profiles.setChargingProfile.bind(profiles),
        chargingProfileService.SetChargingProfileRequest.fromPartial({ cpo: partnerCpo, chargingProfileJson: JSON.stringify(limit(7400)), ...request }),
      ),
    get: (request: Fields<chargingProfileService.GetActiveChargingProfileRequest>) =>
      call<chargingProfileService.GetActiveChargingProfileRequest, chargingProfileService.GetActiveChargingProfileResponse>(
        profiles.getActiveChargingProfile.bind(profiles),
        chargingProfileService.GetActiveChargingProfileRequest.fromPartial({ cpo: partnerCpo, durationSeconds: 900, ...request }),
      ),
    clear: (request: Fields<chargingProfileService.ClearChargingProfileRequest>) =>
      call<chargingProfileService.ClearChargingProfileRequest, chargingProfileService.ClearChargingProfileResponse>(
        profiles.clearChargingProfile.bind(profiles),
        chargingProfileService.ClearChargingProfileRequest.fromPartial({ cpo: partnerCpo, ...request }),
      ),
    receive: (request: Fields<chargingProfileService.ReceivePartnerProfileRequestRequest>) =>
      call<chargingProfileService.ReceivePartnerProfileRequestRequest, chargingProfileService.ReceivePartnerProfileRequestResponse>(
        profiles.receivePartnerProfileRequest.bind(profiles),
        chargingProfileService.ReceivePartnerProfileRequestRequest.fromPartial({ connectionId: 'conn-partner', cpo: ownCpo, emsp: partnerEmsp, timeoutSeconds: 30, ...request }),
      ),
    reportActive: (request: Fields<chargingProfileService.ReportActiveChargingProfileRequest>) =>
      call<chargingProfileService.ReportActiveChargingProfileRequest, chargingProfileService.ReportActiveChargingProfileResponse>(
        profiles.reportActiveChargingProfile.bind(profiles),
        chargingProfileService.ReportActiveChargingProfileRequest.fromPartial(request),
      ),
    partnerActive: (request: Fields<chargingProfileService.ReceivePartnerActiveProfileRequest>) =>
      call<chargingProfileService.ReceivePartnerActiveProfileRequest, chargingProfileService.ReceivePartnerActiveProfileResponse>(
        profiles.receivePartnerActiveProfile.bind(profiles),
        chargingProfileService.ReceivePartnerActiveProfileRequest.fromPartial({ connectionId: 'conn-cpo', cpo: partnerCpo, ...request }),
      ),
    activeProfile: (request: Fields<chargingProfileService.GetActiveProfileRequest>) =>
      call<chargingProfileService.GetActiveProfileRequest, chargingProfileService.GetActiveProfileResponse>(
        profiles.getActiveProfile.bind(profiles),
        chargingProfileService.GetActiveProfileRequest.fromPartial(request),
      ),
    report: (request: Fields<commandService.ReportCommandResultRequest>) =>
      call<commandService.ReportCommandResultRequest, commandService.ReportCommandResultResponse>(
        commandClient.reportCommandResult.bind(commandClient),
        commandService.ReportCommandResultRequest.fromPartial(request),
      ),
    command: (id: string) => call<commandService.GetCommandRequest, commandService.GetCommandResponse>(commandClient.getCommand.bind(commandClient), { id }),
  };

  /** Our CSMS reports a session of the partner eMSP's token at our charger. */
  const startCpoSession = (sessionId: string) =>
    call<sessionService.ReportSessionStartedRequest, sessionService.ReportSessionStartedResponse>(
      sessionClient.reportSessionStarted.bind(sessionClient),
      sessionService.ReportSessionStartedRequest.fromPartial({
        cpo: ownCpo,
        sessionId,
        tokenParty: partnerEmsp,
        tokenUid: partnerToken.uid,
        tokenType: 'RFID',
        authMethod: 'AUTH_REQUEST',
        locationId: 'LOC1',
        evseUid: 'EVSE-1',
        connectorId: '1',
        startDateTime: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
  const endCpoSession = (sessionId: string) =>
    call<sessionService.ReportSessionEndedRequest, sessionService.ReportSessionEndedResponse>(
      sessionClient.reportSessionEnded.bind(sessionClient),
      sessionService.ReportSessionEndedRequest.fromPartial({ cpo: ownCpo, sessionId, kwh: '1', endDateTime: new Date().toISOString() }),
    );

  /** A partner CPO (DE*CPO over conn-cpo) pushes a session of our driver's token; resolves once it is stored. */
  const partnerSession = async (sessionId: string, fields: Record<string, unknown> = {}) => {
    const body = aSession({ country_code: 'DE', party_id: 'CPO', id: sessionId, cdr_token: aCdrToken({ country_code: 'NL', party_id: 'VLM', uid: 'DRIVER1', type: 'APP_USER' }), last_updated: new Date().toISOString(), ...fields });
    await publisher.publish({
      topic: Topics.partnerSession,
      key: `DE*CPO*${sessionId}`,
      type: 'voltmesh.sessions.v1.PartnerSessionWrite',
      value: sessions.PartnerSessionWrite.encode(
        sessions.PartnerSessionWrite.fromPartial({ connectionId: 'conn-cpo', party: partnerCpo, sessionId, method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: JSON.stringify(body), receivedAt: new Date().toISOString() }),
      ).finish(),
    });
    const expected = String(fields['status'] ?? 'ACTIVE');
    await waitFor(
      `partner session ${sessionId} stored`,
      async () => {
        const found = await call<sessionService.GetSessionRequest, sessionService.GetSessionResponse>(sessionClient.getSession.bind(sessionClient), { role: sessions.SessionRole.SESSION_ROLE_EMSP, cpo: partnerCpo, sessionId }).catch(() => undefined);
        return found?.session?.status === expected;
      },
      10_000,
    );
  };

  /** What the gateway publishes about one of our outbound requests. */
  const partnerEvent = (commandId: string, fields: Partial<commands.PartnerCommandEvent>) =>
    publisher.publish({
      topic: Topics.partnerCommand,
      key: commandId,
      type: 'voltmesh.sessions.v1.PartnerCommandEvent',
      value: commands.PartnerCommandEvent.encode(commands.PartnerCommandEvent.fromPartial({ connectionId: 'conn-cpo', commandId, receivedAt: new Date().toISOString(), ...fields })).finish(),
    });

  const decode = (event: { value: Buffer }) => commands.CommandChanged.decode(event.value).command!;
  const nextChange = (id: string, match: (command: commands.Command) => boolean, timeoutMs?: number) => changes.next((event) => event.key === id && match(decode(event)), timeoutMs).then(decode);
  const decodePush = (event: { value: Buffer }) => chargingProfileService.ActiveProfileChanged.decode(event.value);
  const pushesOf = (key: string) => pushes.events.filter((event) => event.key === key).map(decodePush);

  before(async () => {
    [tokenStub, locationStub, tariffStub] = await Promise.all([startTokenStub(), startLocationStub(), startTariffStub()]);
    tokenStub.add(partnerToken, objects.Owner.OWNER_PARTNER);
    locationStub.add(location);
    config = loadSessionsConfig({
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: infra.unique('sessions'),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      OWN_PARTIES: 'CPO:NL*VLT,EMSP:NL*VLM',
      PUBLIC_URL: 'https://voltmesh.example/',
      AUTHORIZATION_GRPC_ADDRESS: tokenStub.address,
      LOCATIONS_GRPC_ADDRESS: locationStub.address,
      TARIFFS_GRPC_ADDRESS: tariffStub.address,
      SWEEP_INTERVAL_MS: '200',
      DELIVERY_WAIT_MS: '30000',
      REPUBLISH_INTERVAL_MS: '1000',
    });
    changes = await collectEvents(infra.kafkaBrokers, Topics.command, infra.unique('command-collector'));
    pushes = await collectEvents(infra.kafkaBrokers, Topics.activeProfile, infra.unique('profile-collector'));
    const dlq = { name: dlqTopicName(ConsumerGroups.sessionsPartnerCommands), partitions: 1, description: 'partner events the service refused' };
    refused = await collectEvents(infra.kafkaBrokers, dlq, infra.unique('dlq-collector'));
    service = await startServiceInProcess('sessions-profiles-test', (deps) => buildSessions(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ db, publisher } = service);
    profiles = new chargingProfileService.ChargingProfileServiceClient(service.address, credentials.createInsecure());
    commandClient = new commandService.CommandServiceClient(service.address, credentials.createInsecure());
    sessionClient = new sessionService.SessionServiceClient(service.address, credentials.createInsecure());
  });

  after(async () => {
    profiles.close();
    commandClient.close();
    sessionClient.close();
    await Promise.all([changes.stop(), pushes.stop(), refused.stop()]);
    await service.stop();
    await Promise.all([tokenStub.server.stop(), locationStub.server.stop(), tariffStub.server.stop()]);
  });

  test('outbound SET: REQUESTED with a SetChargingProfile to the session’s CPO and connection; the CPO’s ACCEPTED, then its result COMPLETE it; TOO_OFTEN is REJECTED', async () => {
    await partnerSession('PS1');
    const { command } = await rpc.set({ sessionId: 'ps1', chargingProfileJson: JSON.stringify({ ...limit(7400), min_charging_rate: 1380.5 }) });
    assert.ok(command, 'the stored command');
    const id = command.id;
    const requested = await nextChange(id, (candidate) => candidate.state === REQUESTED);
    assert.deepEqual(
      [requested.direction, requested.type, requested.cpo, requested.emsp, requested.connectionId, requested.sessionId, requested.revision],
      [OUTBOUND, 'SET_CHARGING_PROFILE', partnerCpo, ownEmsp, 'conn-cpo', 'PS1', '1'],
    );
    const body = setChargingProfileSchema.parse(JSON.parse(requested.ocpiJson));
    assert.equal(body.response_url, `https://voltmesh.example/ocpi/2.2.1/emsp/chargingprofiles/results/${id}`);
    assert.deepEqual(body.charging_profile, { ...limit(7400), min_charging_rate: 1380.5 });

    const answeredAt = new Date();
    await partnerEvent(id, { responseJson: JSON.stringify({ result: 'ACCEPTED', timeout: 20 }), receivedAt: answeredAt.toISOString() });
    const accepted = await nextChange(id, (candidate) => candidate.state === ACCEPTED);
    assert.equal(accepted.deadline, new Date(answeredAt.getTime() + 20_000).toISOString());
    assert.deepEqual(JSON.parse(accepted.responseJson), { result: 'ACCEPTED', timeout: 20 });
    // A CommandResult is not what a profile request's result is: refused to the DLQ, the command unchanged.
    await partnerEvent(id, { resultJson: JSON.stringify({ result: 'FAILED', message: [] }) });
    const wrongShape = await refused.next((event) => event.key === id);
    assert.match(wrongShape.headers['dlq-error'] ?? '', /not the result of a SET_CHARGING_PROFILE/);
    await partnerEvent(id, { resultJson: JSON.stringify({ result: 'ACCEPTED' }) });
    const completed = await nextChange(id, (candidate) => candidate.state === COMPLETED);
    assert.deepEqual(JSON.parse(completed.resultJson), { result: 'ACCEPTED' });
    assert.equal((await rpc.command(id)).command?.state, COMPLETED);

    const again = (await rpc.set({ sessionId: 'PS1' })).command!;
    await partnerEvent(again.id, { responseJson: JSON.stringify({ result: 'TOO_OFTEN', timeout: 0 }) });
    const tooOften = await nextChange(again.id, (candidate) => candidate.state !== REQUESTED);
    assert.equal(tooOften.state, REJECTED);
    assert.deepEqual(JSON.parse(tooOften.responseJson), { result: 'TOO_OFTEN', timeout: 0 }, 'the exact answer is kept');
  });

  test('outbound GET and CLEAR: the GET’s result with a profile becomes the session’s known profile; the partner CPO’s push replaces it, from the session’s connection only', async () => {
    await partnerSession('PS2');
    assert.deepEqual(await rpc.activeProfile({ cpo: partnerCpo, sessionId: 'PS2' }), { activeProfileJson: '', updatedAt: '' }, 'known session, no profile yet');
    await assert.rejects(rpc.activeProfile({ cpo: partnerCpo, sessionId: 'NOPE' }), grpcError(status.NOT_FOUND, /unknown session DE\*CPO\*NOPE/));

    const get = (await rpc.get({ sessionId: 'PS2', durationSeconds: 600 })).command!;
    const requested = await nextChange(get.id, (candidate) => candidate.state === REQUESTED);
    assert.deepEqual(getActiveChargingProfileSchema.parse(JSON.parse(requested.ocpiJson)), { duration: 600, response_url: `https://voltmesh.example/ocpi/2.2.1/emsp/chargingprofiles/results/${get.id}` });
    await partnerEvent(get.id, { responseJson: JSON.stringify({ result: 'ACCEPTED', timeout: 30 }) });
    await nextChange(get.id, (candidate) => candidate.state === ACCEPTED);
    await partnerEvent(get.id, { resultJson: JSON.stringify({ result: 'ACCEPTED', profile: activeProfile(11000) }) });
    const completed = await nextChange(get.id, (candidate) => candidate.state === COMPLETED);
    assert.deepEqual(JSON.parse(completed.resultJson), { result: 'ACCEPTED', profile: storedActive(11000) });
    const known = await rpc.activeProfile({ cpo: partnerCpo, sessionId: 'PS2' });
    assert.deepEqual(JSON.parse(known.activeProfileJson), storedActive(11000));
    assert.ok(Math.abs(Date.parse(known.updatedAt) - Date.now()) < 10_000, 'updated_at: when it was received');

    await rpc.partnerActive({ sessionId: 'PS2', activeProfileJson: JSON.stringify(activeProfile(3700)) });
    assert.deepEqual(JSON.parse((await rpc.activeProfile({ cpo: partnerCpo, sessionId: 'PS2' })).activeProfileJson), storedActive(3700));
    await assert.rejects(rpc.partnerActive({ connectionId: 'conn-other', sessionId: 'PS2', activeProfileJson: JSON.stringify(activeProfile(1)) }), grpcError(status.NOT_FOUND, /unknown session DE\*CPO\*PS2/));
    await assert.rejects(rpc.partnerActive({ sessionId: 'NOPE', activeProfileJson: JSON.stringify(activeProfile(1)) }), grpcError(status.NOT_FOUND, /unknown session/));
    await assert.rejects(
      rpc.partnerActive({ sessionId: 'PS2', activeProfileJson: JSON.stringify({ charging_profile: limit(1) }) }),
      grpcError(status.INVALID_ARGUMENT, /^active_profile_json: start_date_time: /),
    );
    assert.deepEqual(JSON.parse((await rpc.activeProfile({ cpo: partnerCpo, sessionId: 'PS2' })).activeProfileJson), storedActive(3700), 'the refused pushes changed nothing');

    const clear = (await rpc.clear({ sessionId: 'PS2' })).command!;
    assert.deepEqual(clearProfileSchema.parse(JSON.parse(clear.ocpiJson)), { response_url: `https://voltmesh.example/ocpi/2.2.1/emsp/chargingprofiles/results/${clear.id}` });
    assert.deepEqual([clear.type, clear.sessionId, clear.state], ['CLEAR_PROFILE', 'PS2', REQUESTED]);
  });

  test('outbound refusals: an unknown session or one of our CPO’s, an ended session, a profile that is not valid', async () => {
    await startCpoSession('OWN-1');
    await partnerSession('PS3', { status: 'COMPLETED', end_date_time: new Date().toISOString() });
    await assert.rejects(rpc.set({ sessionId: 'NOPE' }), grpcError(status.NOT_FOUND, /unknown session DE\*CPO\*NOPE/));
    await assert.rejects(rpc.set({ cpo: ownCpo, sessionId: 'OWN-1' }), grpcError(status.NOT_FOUND, /unknown session NL\*VLT\*OWN-1/));
    await assert.rejects(rpc.get({ sessionId: 'PS3' }), grpcError(status.FAILED_PRECONDITION, /PS3 is COMPLETED/));
    await assert.rejects(
      rpc.set({ sessionId: 'PS1', chargingProfileJson: JSON.stringify({ charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 1 }, { start_period: 0, limit: 2 }] }) }),
      grpcError(status.INVALID_ARGUMENT, /^charging_profile_json: charging_profile_period\[1\]\.start_period: must be greater/),
    );
    await assert.rejects(rpc.set({ sessionId: 'PS1', chargingProfileJson: JSON.stringify({ ...limit(16.25), charging_rate_unit: 'A' }) }), grpcError(status.INVALID_ARGUMENT, /limit: must have at most 1 decimal/));
    await assert.rejects(rpc.set({ sessionId: 'PS1', chargingProfileJson: '' }), grpcError(status.INVALID_ARGUMENT, /^charging_profile_json/));
    await assert.rejects(rpc.get({ sessionId: 'PS1', durationSeconds: 0 }), grpcError(status.INVALID_ARGUMENT, /^duration_seconds: /));
    await assert.rejects(rpc.clear({ sessionId: 'PS1', cpo: {} }), grpcError(status.INVALID_ARGUMENT, /^cpo: required/));
  });

  test('inbound: UNKNOWN_SESSION (stored) for a session that is not the eMSP’s; its own SET is ACCEPTED, and the CSMS’s result completes it with {result}', async () => {
    await startCpoSession('CS-1');
    const setBody = (url: string) => JSON.stringify({ charging_profile: limit(7400), response_url: url });
    const foreign = await rpc.receive({ type: 'SET_CHARGING_PROFILE', sessionId: 'CS-1', emsp: { countryCode: 'FR', partyId: 'XYZ' }, ocpiJson: setBody('https://xyz.example/r/1') });
    assert.deepEqual(JSON.parse(foreign.responseJson), { result: 'UNKNOWN_SESSION', timeout: 30 });
    const stored = await nextChange(foreign.command!.id, (candidate) => candidate.state === UNKNOWN_SESSION);
    assert.deepEqual([stored.direction, stored.type, stored.sessionId, stored.resultJson, stored.deadline], [INBOUND, 'SET_CHARGING_PROFILE', 'CS-1', '', ''], 'nothing for the CSMS to execute');
    const otherConnection = await rpc.receive({ type: 'SET_CHARGING_PROFILE', sessionId: 'CS-1', connectionId: 'conn-elsewhere', ocpiJson: setBody('https://ems.example/r/0') });
    assert.equal(JSON.parse(otherConnection.responseJson).result, 'UNKNOWN_SESSION', 'the token came over conn-partner');
    const unknown = await rpc.receive({ type: 'GET_ACTIVE_CHARGING_PROFILE', sessionId: 'NO-SUCH', ocpiJson: JSON.stringify({ duration: 60, response_url: 'https://ems.example/r/00' }) });
    assert.deepEqual([JSON.parse(unknown.responseJson).result, unknown.command?.state], ['UNKNOWN_SESSION', UNKNOWN_SESSION]);

    const own = await rpc.receive({ type: 'set_charging_profile', sessionId: 'cs-1', ocpiJson: setBody('https://ems.example/r/1') });
    assert.deepEqual(JSON.parse(own.responseJson), { result: 'ACCEPTED', timeout: 30 });
    const id = own.command!.id;
    const announced = await nextChange(id, (candidate) => candidate.state === ACCEPTED);
    assert.deepEqual([announced.direction, announced.connectionId, announced.cpo, announced.emsp, announced.sessionId, announced.resultJson], [INBOUND, 'conn-partner', ownCpo, partnerEmsp, 'CS-1', '']);
    assert.deepEqual(setChargingProfileSchema.parse(JSON.parse(announced.ocpiJson)), { charging_profile: limit(7400), response_url: 'https://ems.example/r/1' });
    assert.ok(Math.abs(Date.parse(announced.deadline) - (Date.parse(announced.requestedAt) + 30_000)) < 5, 'deadline = now + timeout_seconds');

    await assert.rejects(rpc.report({ commandId: id, result: 'FAILED' }), grpcError(status.INVALID_ARGUMENT, /^result: a SET_CHARGING_PROFILE takes one of ACCEPTED, REJECTED, UNKNOWN/));
    await assert.rejects(rpc.report({ commandId: id, result: 'MAYBE' }), grpcError(status.INVALID_ARGUMENT, /^result: must be one of/));
    const reported = await rpc.report({ commandId: id, result: 'accepted', message: 'not sent: OCPI has no message here' });
    assert.equal(reported.changed, true);
    const completed = await nextChange(id, (candidate) => candidate.state === COMPLETED);
    assert.equal(completed.resultJson, '{"result":"ACCEPTED"}');
    assert.equal((await rpc.report({ commandId: id, result: 'REJECTED' })).changed, false, 'a second report changes nothing');

    await assert.rejects(
      rpc.receive({ type: 'SET_CHARGING_PROFILE', sessionId: 'CS-1', ocpiJson: JSON.stringify({ charging_profile: limit(1, 5), response_url: 'https://ems.example/r/2' }) }),
      grpcError(status.INVALID_ARGUMENT, /^ocpi_json: charging_profile\.charging_profile_period\[0\]\.start_period: the first period must start at 0/),
    );
    await assert.rejects(rpc.receive({ type: 'START_SESSION', sessionId: 'CS-1', ocpiJson: '{}' }), grpcError(status.INVALID_ARGUMENT, /^type: must be one of SET_CHARGING_PROFILE/));
  });

  test('inbound GET: ReportActiveChargingProfile with the command id completes it with {result: ACCEPTED, profile}; a bare ACCEPTED is refused', async () => {
    await startCpoSession('CS-2');
    const get = await rpc.receive({ type: 'GET_ACTIVE_CHARGING_PROFILE', sessionId: 'CS-2', ocpiJson: JSON.stringify({ duration: 900, response_url: 'https://ems.example/r/3' }) });
    assert.equal(JSON.parse(get.responseJson).result, 'ACCEPTED');
    const id = get.command!.id;
    assert.deepEqual(getActiveChargingProfileSchema.parse(JSON.parse(get.command!.ocpiJson)), { duration: 900, response_url: 'https://ems.example/r/3' });
    await assert.rejects(rpc.report({ commandId: id, result: 'ACCEPTED' }), grpcError(status.INVALID_ARGUMENT, /ReportActiveChargingProfile/));
    await assert.rejects(
      rpc.reportActive({ commandId: id, sessionId: 'OTHER', activeProfileJson: JSON.stringify(activeProfile(11000)) }),
      grpcError(status.INVALID_ARGUMENT, /^session_id: command .* is for session CS-2/),
    );

    const answer = await rpc.reportActive({ commandId: id, activeProfileJson: JSON.stringify(activeProfile(11000)) });
    assert.equal(answer.pushed, false, 'the eMSP gets it as the result, not as a push');
    const completed = await nextChange(id, (candidate) => candidate.state === COMPLETED);
    assert.deepEqual(JSON.parse(completed.resultJson), { result: 'ACCEPTED', profile: storedActive(11000) });
    assert.deepEqual(JSON.parse((await rpc.activeProfile({ cpo: ownCpo, sessionId: 'CS-2' })).activeProfileJson), storedActive(11000));
    const replay = await rpc.reportActive({ commandId: id, activeProfileJson: JSON.stringify(activeProfile(11000)) });
    assert.equal(replay.pushed, false);
    assert.equal((await rpc.command(id)).command?.revision, completed.revision, 'a replay changes nothing');

    const set = await rpc.receive({ type: 'SET_CHARGING_PROFILE', sessionId: 'CS-2', ocpiJson: JSON.stringify({ charging_profile: limit(1), response_url: 'https://ems.example/r/4' }) });
    await assert.rejects(rpc.reportActive({ commandId: set.command!.id, activeProfileJson: JSON.stringify(activeProfile(1)) }), grpcError(status.FAILED_PRECONDITION, /only a partner's GET_ACTIVE_CHARGING_PROFILE/));
    await assert.rejects(rpc.reportActive({ commandId: randomUUID(), activeProfileJson: JSON.stringify(activeProfile(1)) }), grpcError(status.NOT_FOUND, /unknown command/));
    const gets = pushes.events.length;
    await sleep(300);
    assert.equal(pushes.events.filter((event) => event.key === 'NL*VLT*CS-2').length, 0, `no ActiveProfileChanged for a GET's answer (${gets} pushes seen)`);
  });

  test('a change our CSMS reports is pushed (ActiveProfileChanged, increasing revision) only after the eMSP’s SET completed ACCEPTED; an ended session gets no more', async () => {
    await Promise.all([startCpoSession('CS-3'), startCpoSession('CS-4')]);
    // CS-4: nobody set a profile. The report is stored, not pushed.
    const unset = await rpc.reportActive({ cpo: ownCpo, sessionId: 'CS-4', activeProfileJson: JSON.stringify(activeProfile(22000)) });
    assert.equal(unset.pushed, false);
    assert.deepEqual(JSON.parse((await rpc.activeProfile({ cpo: ownCpo, sessionId: 'CS-4' })).activeProfileJson), storedActive(22000));

    // CS-3: a SET accepted by the CSMS, then changes.
    const set = await rpc.receive({ type: 'SET_CHARGING_PROFILE', sessionId: 'CS-3', ocpiJson: JSON.stringify({ charging_profile: limit(7400), response_url: 'https://ems.example/r/5' }) });
    const early = await rpc.reportActive({ cpo: ownCpo, sessionId: 'CS-3', activeProfileJson: JSON.stringify(activeProfile(11000)) });
    assert.equal(early.pushed, false, 'the SET has not completed yet');
    await rpc.report({ commandId: set.command!.id, result: 'ACCEPTED' });
    const first = await rpc.reportActive({ cpo: ownCpo, sessionId: 'CS-3', activeProfileJson: JSON.stringify(activeProfile(7400)) });
    assert.equal(first.pushed, true);
    const pushed = decodePush(await pushes.next((event) => event.key === 'NL*VLT*CS-3'));
    assert.deepEqual([pushed.cpo, pushed.sessionId, pushed.connectionId, pushed.emsp], [ownCpo, 'CS-3', 'conn-partner', partnerEmsp]);
    assert.deepEqual(JSON.parse(pushed.activeProfileJson), storedActive(7400));
    assert.ok(Number(pushed.revision) > 0, 'revision > 0');
    const second = await rpc.reportActive({ cpo: ownCpo, sessionId: 'cs-3', activeProfileJson: JSON.stringify(activeProfile(3700)) });
    assert.equal(second.pushed, true);
    await waitFor('the second push', async () => pushesOf('NL*VLT*CS-3').length === 2, 5_000);
    const [one, two] = pushesOf('NL*VLT*CS-3');
    assert.ok(Number(two!.revision) > Number(one!.revision), `increasing revision: ${one!.revision} then ${two!.revision}`);
    assert.deepEqual(JSON.parse(two!.activeProfileJson), storedActive(3700));
    const replay = await rpc.reportActive({ cpo: ownCpo, sessionId: 'CS-3', activeProfileJson: JSON.stringify(activeProfile(3700)) });
    assert.equal(replay.pushed, true, 'the eMSP has it');
    await sleep(500);
    assert.equal(pushesOf('NL*VLT*CS-3').length, 2, 'a repeated report is not pushed again');
    assert.equal(pushesOf('NL*VLT*CS-4').length, 0, 'never pushed without a SET');

    await endCpoSession('CS-3');
    await assert.rejects(rpc.reportActive({ cpo: ownCpo, sessionId: 'CS-3', activeProfileJson: JSON.stringify(activeProfile(1)) }), grpcError(status.FAILED_PRECONDITION, /CS-3 is COMPLETED/));
    const late = await rpc.receive({ type: 'CLEAR_PROFILE', sessionId: 'CS-3', ocpiJson: JSON.stringify({ response_url: 'https://ems.example/r/6' }) });
    assert.deepEqual([JSON.parse(late.responseJson).result, late.command?.state], ['REJECTED', REJECTED], 'an ended session takes no profile request');
    await assert.rejects(rpc.reportActive({ cpo: ownCpo, sessionId: 'NOPE', activeProfileJson: JSON.stringify(activeProfile(1)) }), grpcError(status.NOT_FOUND, /unknown session NL\*VLT\*NOPE/));
  });

  test('inbound profile request without a report: TIMEOUT by the sweeper (the gateway posts REJECTED); a late report changes nothing', async () => {
    await startCpoSession('CS-5');
    const received = await rpc.receive({ type: 'CLEAR_PROFILE', sessionId: 'CS-5', ocpiJson: JSON.stringify({ response_url: 'https://ems.example/r/7' }), timeoutSeconds: 1 });
    const id = received.command!.id;
    assert.deepEqual(JSON.parse(received.responseJson), { result: 'ACCEPTED', timeout: 1 });
    const timedOut = await nextChange(id, (candidate) => candidate.state === TIMEOUT, 10_000);
    assert.deepEqual([timedOut.type, JSON.parse(timedOut.resultJson)], ['CLEAR_PROFILE', { result: 'TIMEOUT', message: [] }]);
    const late = await rpc.report({ commandId: id, result: 'ACCEPTED' });
    assert.deepEqual([late.changed, late.command?.state], [false, TIMEOUT]);
  });

  test('an ActiveProfileChanged lost between save and publish is republished by the sweeper', async () => {
    await startCpoSession('CS-6');
    const set = await rpc.receive({ type: 'SET_CHARGING_PROFILE', sessionId: 'CS-6', ocpiJson: JSON.stringify({ charging_profile: limit(7400), response_url: 'https://ems.example/r/8' }) });
    await rpc.report({ commandId: set.command!.id, result: 'ACCEPTED' });
    await rpc.reportActive({ cpo: ownCpo, sessionId: 'CS-6', activeProfileJson: JSON.stringify(activeProfile(7400)) });
    const key = 'NL*VLT*CS-6';
    await pushes.next((event) => event.key === key);
    const stored = db.collection('session_profiles');
    const settled = async () => (await stored.findOne({ _id: key as never }))?.['unpublished'] === false && !(await db.collection('profile_due').findOne({ _id: key as never }));
    await waitFor('the save to settle', settled, 5_000);
    // As if the process died after the save: the marker stays, the due entry points at now.
    await stored.updateOne({ _id: key as never }, { $set: { unpublished: true, saved_at: new Date(Date.now() - 60_000) } });
    await db.collection('profile_due').updateOne({ _id: key as never }, { $set: { due_at: new Date() } }, { upsert: true });
    await waitFor('the republished event', async () => pushesOf(key).length === 2, 5_000);
    const [first, again] = pushesOf(key);
    assert.equal(again?.revision, first?.revision, 'the same state again');
    await waitFor('the marker and the due entry to clear again', settled, 5_000);
  });
});
