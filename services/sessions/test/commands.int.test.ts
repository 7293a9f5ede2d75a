import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import { ConsumerGroups, dlqTopicName, Topics, type EventPublisher } from '@voltmesh/kafka';
import { commandResponseSchema, reserveNowSchema, startSessionSchema, type CommandResponse } from '@voltmesh/ocpi';
import { commands, commandService, objects, sessions } from '@voltmesh/proto';
import { aCdrToken, aSession, aToken, collectEvents, sleep, startServiceInProcess, testInfra, waitFor, type EventCollector, type InProcessService, grpcCall, grpcError } from '@voltmesh/testing';
import { buildSessions } from '../src/app.js';
import { loadSessionsConfig, type SessionsConfig } from '../src/config.js';
import { startLocationStub, startTokenStub } from './stubs.js';

const infra = testInfra();
const { COMMAND_STATE_REQUESTED: REQUESTED, COMMAND_STATE_ACCEPTED: ACCEPTED, COMMAND_STATE_COMPLETED: COMPLETED, COMMAND_STATE_TIMEOUT: TIMEOUT } = commands.CommandState;
const { COMMAND_STATE_NOT_DELIVERED: NOT_DELIVERED, COMMAND_STATE_UNKNOWN_SESSION: UNKNOWN_SESSION, COMMAND_STATE_REJECTED: REJECTED } = commands.CommandState;

const call = grpcCall;

describe('sessions service: commands and reservations on real Kafka and FerretDB', () => {
  let service: InProcessService;
  let db: Db;
  let publisher: EventPublisher;
  let client: commandService.CommandServiceClient;
  let changes: EventCollector;
  let refused: EventCollector;
  let tokenStub: Awaited<ReturnType<typeof startTokenStub>>;
  let locationStub: Awaited<ReturnType<typeof startLocationStub>>;
  let config: SessionsConfig;

  const cpo = { countryCode: 'DE', partyId: 'CPO' };
  const ownCpo = { countryCode: 'NL', partyId: 'VLT' };
  const partnerEmsp = { countryCode: 'DE', partyId: 'EMS' };
  const driverToken = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'DRIVER1', type: 'APP_USER' });

  type Fields<T> = commandService.DeepPartial<T>;
  const rpc = {
    start: (request: Fields<commandService.StartSessionRequest>) =>
      call<commandService.StartSessionRequest, commandService.StartSessionResponse>(client.startSession.bind(client), commandService.StartSessionRequest.fromPartial(request)),
    reserve: (request: Fields<commandService.ReserveNowRequest>) =>
      call<commandService.ReserveNowRequest, commandService.ReserveNowResponse>(client.reserveNow.bind(client), commandService.ReserveNowRequest.fromPartial(request)),
    stop: (request: Fields<commandService.StopSessionRequest>) =>
      call<commandService.StopSessionRequest, commandService.StopSessionResponse>(client.stopSession.bind(client), commandService.StopSessionRequest.fromPartial(request)),
    get: (id: string) => call<commandService.GetCommandRequest, commandService.GetCommandResponse>(client.getCommand.bind(client), { id }),
    receive: (request: Fields<commandService.ReceivePartnerCommandRequest>) =>
      call<commandService.ReceivePartnerCommandRequest, commandService.ReceivePartnerCommandResponse>(
        client.receivePartnerCommand.bind(client),
        commandService.ReceivePartnerCommandRequest.fromPartial({ connectionId: 'conn-emsp', emsp: partnerEmsp, cpo: ownCpo, timeoutSeconds: 30, ...request }),
      ),
    report: (request: Fields<commandService.ReportCommandResultRequest>) =>
      call<commandService.ReportCommandResultRequest, commandService.ReportCommandResultResponse>(client.reportCommandResult.bind(client), commandService.ReportCommandResultRequest.fromPartial(request)),
    reservations: (activeOnly: boolean) => call<commandService.ListReservationsRequest, commandService.ListReservationsResponse>(client.listReservations.bind(client), { activeOnly }),
  };
  const startAtPartner = () => rpc.start({ token: { uid: driverToken.uid, type: 'APP_USER' }, cpo, locationId: 'LOC1', evseUid: 'EVSE1', connectorId: '1' });

  /** What the gateway publishes about one of our outbound commands. */
  const partnerEvent = (commandId: string, fields: Partial<commands.PartnerCommandEvent>) =>
    publisher.publish({
      topic: Topics.partnerCommand,
      key: commandId,
      type: 'voltmesh.sessions.v1.PartnerCommandEvent',
      value: commands.PartnerCommandEvent.encode(commands.PartnerCommandEvent.fromPartial({ connectionId: 'conn-cpo', commandId, receivedAt: new Date().toISOString(), ...fields })).finish(),
    });
  const response = (result: CommandResponse['result'], timeout = 30) => JSON.stringify({ result, timeout, message: [] });

  const decode = (event: { value: Buffer }) => commands.CommandChanged.decode(event.value).command!;
  /** CommandChanged events of one command, in the order they arrived. */
  const eventsOf = (id: string) => changes.events.filter((event) => event.key === id).map(decode);
  const nextChange = (id: string, match: (command: commands.Command) => boolean, timeoutMs?: number) =>
    changes.next((event) => event.key === id && match(decode(event)), timeoutMs).then(decode);

  /** A WatchCommand stream: the commands it sent, and how it ended. */
  const watch = (id: string) => {
    const stream = client.watchCommand({ id });
    const received: commands.Command[] = [];
    stream.on('data', (message: commandService.WatchCommandResponse) => received.push(message.command!));
    const ended = new Promise<ServiceError | 'end'>((resolve) => {
      stream.on('end', () => resolve('end'));
      stream.on('error', (error: ServiceError) => resolve(error));
    });
    return { received, ended };
  };

  before(async () => {
    [tokenStub, locationStub] = await Promise.all([startTokenStub(), startLocationStub()]);
    tokenStub.add(driverToken, objects.Owner.OWNER_OWN);
    tokenStub.add(aToken({ country_code: 'NL', party_id: 'VLM', uid: 'BLOCKED1', valid: false }), objects.Owner.OWNER_OWN);
    tokenStub.add(aToken({ country_code: 'NL', party_id: 'VLM', uid: 'PARTNERS1' }), objects.Owner.OWNER_PARTNER);
    config = loadSessionsConfig({
      MONGO_URL: infra.mongoUrl,
      MONGO_DB: infra.unique('sessions'),
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      OWN_PARTIES: 'CPO:NL*VLT,EMSP:NL*VLM',
      PUBLIC_URL: 'https://voltmesh.example/',
      AUTHORIZATION_GRPC_ADDRESS: tokenStub.address,
      LOCATIONS_GRPC_ADDRESS: locationStub.address,
      SWEEP_INTERVAL_MS: '200',
      DELIVERY_WAIT_MS: '4000',
      REPUBLISH_INTERVAL_MS: '1000',
    });
    changes = await collectEvents(infra.kafkaBrokers, Topics.command, infra.unique('collector'));
    const dlq = { name: dlqTopicName(ConsumerGroups.sessionsPartnerCommands), partitions: 1, description: 'partner events the service refused' };
    refused = await collectEvents(infra.kafkaBrokers, dlq, infra.unique('dlq-collector'));
    service = await startServiceInProcess('sessions-test', (deps) => buildSessions(config, deps), { mongoUrl: config.MONGO_URL, dbName: config.MONGO_DB, kafkaBrokers: config.KAFKA_BROKERS });
    ({ db, publisher } = service);
    client = new commandService.CommandServiceClient(service.address, credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await changes.stop();
    await refused.stop();
    await service.stop();
    await tokenStub.server.stop();
    await locationStub.server.stop();
  });

  test('outbound start: REQUESTED with a valid StartSession, ACCEPTED with a deadline, COMPLETED by the result; WatchCommand streams it; replays change nothing', async () => {
    const { command } = await startAtPartner();
    assert.ok(command, 'command');
    const id = command.id;
    const watched = watch(id);
    const requested = await nextChange(id, (candidate) => candidate.state === REQUESTED);
    assert.equal(requested.direction, commands.CommandDirection.COMMAND_DIRECTION_OUTBOUND);
    assert.deepEqual([requested.type, requested.cpo, requested.emsp, requested.revision], ['START_SESSION', cpo, { countryCode: 'NL', partyId: 'VLM' }, '1']);
    const body = startSessionSchema.parse(JSON.parse(requested.ocpiJson));
    assert.equal(body.response_url, `https://voltmesh.example/ocpi/2.2.1/emsp/commands/START_SESSION/${id}`);
    assert.equal(body.token.uid, 'DRIVER1');
    assert.deepEqual([body.location_id, body.evse_uid, body.connector_id], ['LOC1', 'EVSE1', '1']);
    assert.equal(body.authorization_reference, id.toUpperCase(), 'the reference is the command id');
    assert.equal(requested.authorizationReference, body.authorization_reference);

    const answeredAt = new Date();
    await partnerEvent(id, { responseJson: response('ACCEPTED', 30), receivedAt: answeredAt.toISOString() });
    const accepted = await nextChange(id, (candidate) => candidate.state === ACCEPTED);
    assert.equal(accepted.deadline, new Date(answeredAt.getTime() + 30_000).toISOString());
    assert.equal(accepted.connectionId, 'conn-cpo');
    assert.equal(accepted.revision, '2');

    await partnerEvent(id, { resultJson: JSON.stringify({ result: 'ACCEPTED' }) });
    const completed = await nextChange(id, (candidate) => candidate.state === COMPLETED);
    assert.deepEqual(JSON.parse(completed.resultJson), { result: 'ACCEPTED', message: [] });
    assert.equal((await watched.ended), 'end', 'the stream ends at COMPLETED');
    assert.deepEqual(watched.received.map((sent) => sent.state), [REQUESTED, ACCEPTED, COMPLETED]);

    // Replays, then an answer from another connection: it goes to the DLQ after them (same key,
    // same partition), so once it is there the replays were applied, and changed nothing.
    await partnerEvent(id, { responseJson: response('ACCEPTED', 30) });
    await partnerEvent(id, { resultJson: JSON.stringify({ result: 'FAILED' }) });
    await partnerEvent(id, { connectionId: 'conn-other', resultJson: JSON.stringify({ result: 'ACCEPTED' }) });
    const refusal = await refused.next((event) => event.key === id);
    assert.equal(refusal.headers['dlq-error-code'], 'INVALID_ARGUMENT');
    assert.match(refusal.headers['dlq-error'] ?? '', /went to connection conn-cpo, not conn-other/);
    assert.deepEqual(eventsOf(id).map((event) => event.revision), ['1', '2', '3']);
    assert.equal((await rpc.get(id)).command?.state, COMPLETED);
    assert.deepEqual(JSON.parse((await rpc.get(id.toUpperCase())).command?.resultJson ?? ''), { result: 'ACCEPTED', message: [] });
  });

  test('no result: TIMEOUT by the sweeper; the partner session then links the command; a late result still completes it', async () => {
    const { command } = await startAtPartner();
    const id = command!.id;
    await partnerEvent(id, { responseJson: response('ACCEPTED', 1) });
    const timedOut = await nextChange(id, (candidate) => candidate.state === TIMEOUT, 10_000);
    assert.deepEqual(JSON.parse(timedOut.resultJson), { result: 'TIMEOUT', message: [] });

    const session = aSession({
      country_code: 'DE',
      party_id: 'CPO',
      id: 'SESSION-1',
      cdr_token: aCdrToken({ country_code: 'NL', party_id: 'VLM', uid: driverToken.uid, type: 'APP_USER' }),
      authorization_reference: command!.authorizationReference,
    });
    await publisher.publish({
      topic: Topics.partnerSession,
      key: 'DE*CPO*SESSION-1',
      type: 'voltmesh.sessions.v1.PartnerSessionWrite',
      value: sessions.PartnerSessionWrite.encode(
        sessions.PartnerSessionWrite.fromPartial({ connectionId: 'conn-cpo', party: cpo, sessionId: 'SESSION-1', method: objects.WriteMethod.WRITE_METHOD_PUT, ocpiJson: JSON.stringify(session) }),
      ).finish(),
    });
    const linked = await nextChange(id, (candidate) => candidate.sessionId !== '');
    assert.deepEqual([linked.sessionId, linked.state], ['SESSION-1', TIMEOUT]);

    await partnerEvent(id, { resultJson: JSON.stringify({ result: 'ACCEPTED', message: [] }) });
    const completed = await nextChange(id, (candidate) => candidate.state === COMPLETED);
    assert.deepEqual(JSON.parse(completed.resultJson), { result: 'ACCEPTED', message: [] });
    assert.equal(completed.sessionId, 'SESSION-1');
  });

  test('not delivered: by the dispatcher at once, or by the sweeper when the dispatcher never answers', async () => {
    const first = (await startAtPartner()).command!;
    // As the dispatcher says it when no partner offers the CPO's commands endpoint: no connection.
    await partnerEvent(first.id, { connectionId: '', notDelivered: 'the CPO has no commands endpoint' });
    assert.equal((await nextChange(first.id, (candidate) => candidate.state === NOT_DELIVERED)).revision, '2');

    const silent = (await startAtPartner()).command!;
    const watched = watch(silent.id);
    await nextChange(silent.id, (candidate) => candidate.state === NOT_DELIVERED, 10_000);
    assert.ok(Date.now() - Date.parse(silent.requestedAt) >= 4_000, 'not before DELIVERY_WAIT_MS');
    assert.equal(await watched.ended, 'end');
    assert.deepEqual(watched.received.map((sent) => sent.state), [REQUESTED, NOT_DELIVERED]);
  });

  test('outbound refusals: unknown, partner or blocked tokens, missing fields, an unknown command', async () => {
    await assert.rejects(rpc.start({ token: { uid: 'NOBODY', type: 'RFID' }, cpo, locationId: 'LOC1' }), grpcError(status.NOT_FOUND, /NOBODY/));
    await assert.rejects(rpc.start({ token: { uid: 'PARTNERS1', type: 'RFID' }, cpo, locationId: 'LOC1' }), grpcError(status.FAILED_PRECONDITION, /not one of our own tokens/));
    await assert.rejects(rpc.start({ token: { uid: 'BLOCKED1' }, cpo, locationId: 'LOC1' }), grpcError(status.FAILED_PRECONDITION, /not valid/));
    await assert.rejects(rpc.start({ token: { uid: 'DRIVER1', type: 'APP_USER' }, locationId: 'LOC1' }), grpcError(status.INVALID_ARGUMENT, /^cpo: required/));
    await assert.rejects(rpc.start({ token: { uid: 'DRIVER1', type: 'APP_USER' }, cpo }), grpcError(status.INVALID_ARGUMENT, /^location_id: required/));
    await assert.rejects(
      rpc.start({ token: { uid: 'DRIVER1', type: 'APP_USER', party: { countryCode: 'DE', partyId: 'EMS' } }, cpo, locationId: 'LOC1' }),
      grpcError(status.INVALID_ARGUMENT, /token.party: DE\*EMS is not one of our EMSP parties/),
    );
    await assert.rejects(rpc.reserve({ token: { uid: 'DRIVER1', type: 'APP_USER' }, cpo, locationId: 'LOC1', expiryDate: '2020-01-01T00:00:00Z' }), grpcError(status.INVALID_ARGUMENT, /expiry_date: must be in the future/));
    await assert.rejects(rpc.get(randomUUID()), grpcError(status.NOT_FOUND, /unknown command/));
    const unknown = watch(randomUUID());
    const ended = await unknown.ended;
    assert.notEqual(ended, 'end');
    assert.equal((ended as ServiceError).code, status.NOT_FOUND);

    // A reservation without an id of the driver's own gets a generated one.
    const reserved = (await rpc.reserve({ token: { uid: 'DRIVER1', type: 'APP_USER' }, cpo, locationId: 'LOC1', expiryDate: new Date(Date.now() + 3_600_000).toISOString() })).command!;
    const body = reserveNowSchema.parse(JSON.parse(reserved.ocpiJson));
    assert.match(body.reservation_id, /^[0-9A-F-]{36}$/);
    assert.equal(reserved.reservationId, body.reservation_id);
    const stop = (await rpc.stop({ cpo, sessionId: 'SESSION-1' })).command!;
    assert.equal(JSON.parse(stop.ocpiJson).response_url, `https://voltmesh.example/ocpi/2.2.1/emsp/commands/STOP_SESSION/${stop.id}`);
  });

  test('inbound START_SESSION: stored ACCEPTED and announced before the answer; the CSMS result completes it once; STOP_SESSION only for its eMSP', async () => {
    const startBody = { response_url: 'https://emsp.example/commands/1', token: aToken(), location_id: 'LOC1', evse_uid: 'EVSE1', connector_id: '1' };
    const received = await rpc.receive({ type: 'START_SESSION', ocpiJson: JSON.stringify(startBody) });
    assert.deepEqual(commandResponseSchema.parse(JSON.parse(received.commandResponseJson)), { result: 'ACCEPTED', timeout: 30, message: [] });
    const id = received.command!.id;
    const announced = await nextChange(id, (candidate) => candidate.state === ACCEPTED);
    assert.equal(announced.direction, commands.CommandDirection.COMMAND_DIRECTION_INBOUND);
    assert.deepEqual([announced.connectionId, announced.cpo, announced.emsp, announced.resultJson], ['conn-emsp', ownCpo, partnerEmsp, '']);
    assert.ok(Math.abs(Date.parse(announced.deadline) - (Date.parse(announced.requestedAt) + 30_000)) < 5, 'deadline = now + timeout_seconds');

    const reported = await rpc.report({ commandId: id, result: 'ACCEPTED', message: 'Charging', sessionId: 'CSMS-S1' });
    assert.equal(reported.changed, true);
    const completed = await nextChange(id, (candidate) => candidate.state === COMPLETED);
    assert.deepEqual(JSON.parse(completed.resultJson), { result: 'ACCEPTED', message: [{ language: 'en', text: 'Charging' }] });
    assert.equal(completed.sessionId, 'CSMS-S1');
    const again = await rpc.report({ commandId: id, result: 'FAILED' });
    assert.equal(again.changed, false);
    assert.equal(again.command?.state, COMPLETED);

    const stopBody = (sessionId: string) => JSON.stringify({ response_url: 'https://emsp.example/commands/2', session_id: sessionId });
    const stop = await rpc.receive({ type: 'STOP_SESSION', ocpiJson: stopBody('CSMS-S1') });
    assert.equal(JSON.parse(stop.commandResponseJson).result, 'ACCEPTED');
    const foreign = await rpc.receive({ type: 'STOP_SESSION', ocpiJson: stopBody('CSMS-S1'), emsp: { countryCode: 'FR', partyId: 'XYZ' } });
    assert.equal(JSON.parse(foreign.commandResponseJson).result, 'UNKNOWN_SESSION', 'another eMSP may not stop it');
    const unknown = await rpc.receive({ type: 'STOP_SESSION', ocpiJson: stopBody('NO-SUCH-SESSION') });
    assert.equal(JSON.parse(unknown.commandResponseJson).result, 'UNKNOWN_SESSION');
    const stored = await nextChange(unknown.command!.id, (candidate) => candidate.state === UNKNOWN_SESSION);
    assert.equal(stored.resultJson, '', 'nothing for the CSMS to execute');

    await assert.rejects(rpc.report({ commandId: stop.command!.id, result: 'MAYBE' }), grpcError(status.INVALID_ARGUMENT, /^result: must be one of/));
    await assert.rejects(rpc.report({ commandId: randomUUID(), result: 'ACCEPTED' }), grpcError(status.NOT_FOUND, /unknown command/));
    await assert.rejects(rpc.receive({ type: 'START_SESSION', ocpiJson: JSON.stringify({ ...startBody, location_id: undefined }) }), grpcError(status.INVALID_ARGUMENT, /ocpi_json: location_id/));
    const outbound = (await startAtPartner()).command!;
    await assert.rejects(rpc.report({ commandId: outbound.id, result: 'ACCEPTED' }), grpcError(status.FAILED_PRECONDITION, /outbound/));
  });

  test('inbound command without a report: TIMEOUT by the sweeper, and a report after it changes nothing', async () => {
    const body = { response_url: 'https://emsp.example/commands/3', location_id: 'LOC1', evse_uid: 'EVSE1', connector_id: '1' };
    const received = await rpc.receive({ type: 'UNLOCK_CONNECTOR', ocpiJson: JSON.stringify(body), timeoutSeconds: 1 });
    const id = received.command!.id;
    const timedOut = await nextChange(id, (candidate) => candidate.state === TIMEOUT, 10_000);
    assert.deepEqual(JSON.parse(timedOut.resultJson), { result: 'TIMEOUT', message: [] });
    const late = await rpc.report({ commandId: id, result: 'ACCEPTED' });
    assert.deepEqual([late.changed, late.command?.state], [false, TIMEOUT]);
  });

  test('reservations: ACTIVE with our own id and the EVSE RESERVED; cancel frees it; an unknown one is UNKNOWN_RESERVATION; expiry frees it even when locations fails once', async () => {
    const reserveBody = (reservationId: string, expiry: Date) =>
      JSON.stringify({ response_url: 'https://emsp.example/commands/4', token: aToken(), expiry_date: expiry.toISOString(), reservation_id: reservationId, location_id: 'LOC1', evse_uid: 'EVSE7' });
    const reserved = await rpc.receive({ type: 'RESERVE_NOW', ocpiJson: reserveBody('EMSP-R1', new Date(Date.now() + 3_600_000)) });
    assert.equal(JSON.parse(reserved.commandResponseJson).result, 'ACCEPTED');
    await rpc.report({ commandId: reserved.command!.id, result: 'ACCEPTED' });
    const [reservation] = (await rpc.reservations(true)).reservations.filter((candidate) => candidate.emspReservationId === 'EMSP-R1');
    assert.ok(reservation, 'reservation');
    assert.equal(reservation.status, 'ACTIVE');
    assert.notEqual(reservation.id, 'EMSP-R1', 'our id, never the eMSP one');
    assert.deepEqual([reservation.emsp, reservation.cpo, reservation.evseUid, reservation.commandId], [partnerEmsp, ownCpo, 'EVSE7', reserved.command!.id]);
    assert.equal(reserved.command?.chargerReservationId, reservation.id, 'the CSMS gives the charger the id the reservation is stored under');
    await waitFor('EVSE7 reported RESERVED', async () => locationStub.calls.some((sent) => sent.evseUid === 'EVSE7' && sent.status === 'RESERVED'), 5_000);
    assert.equal(locationStub.calls.find((sent) => sent.evseUid === 'EVSE7')?.party, 'NL*VLT');

    const past = await rpc.receive({ type: 'RESERVE_NOW', ocpiJson: reserveBody('EMSP-R2', new Date(Date.now() - 1_000)) });
    const rejection = commandResponseSchema.parse(JSON.parse(past.commandResponseJson));
    assert.equal(rejection.result, 'REJECTED');
    assert.match(rejection.message[0]?.text ?? '', /in the past/);
    assert.equal(past.command?.state, REJECTED);

    const cancelBody = (reservationId: string) => JSON.stringify({ response_url: 'https://emsp.example/commands/5', reservation_id: reservationId });
    const foreign = await rpc.receive({ type: 'CANCEL_RESERVATION', ocpiJson: cancelBody('EMSP-R1'), emsp: { countryCode: 'FR', partyId: 'XYZ' } });
    assert.equal(foreign.command?.state, COMPLETED, 'another eMSP does not hold it');
    assert.deepEqual(JSON.parse(foreign.command?.resultJson ?? ''), { result: 'UNKNOWN_RESERVATION', message: [] });
    const unknown = await rpc.receive({ type: 'CANCEL_RESERVATION', ocpiJson: cancelBody('NO-SUCH') });
    assert.deepEqual([JSON.parse(unknown.commandResponseJson).result, unknown.command?.state], ['ACCEPTED', COMPLETED]);
    assert.deepEqual(JSON.parse(unknown.command?.resultJson ?? ''), { result: 'UNKNOWN_RESERVATION', message: [] });
    assert.equal(unknown.command?.chargerReservationId, '', 'no reservation held: no charger id');

    const cancelled = await rpc.receive({ type: 'CANCEL_RESERVATION', ocpiJson: cancelBody('EMSP-R1') });
    assert.equal(cancelled.command?.state, ACCEPTED, 'held: for the CSMS to execute');
    assert.equal(cancelled.command?.chargerReservationId, reservation.id, 'the CSMS cancels the charger reservation by our id');
    await rpc.report({ commandId: cancelled.command!.id, result: 'ACCEPTED' });
    await waitFor('EVSE7 reported AVAILABLE', async () => locationStub.calls.some((sent) => sent.evseUid === 'EVSE7' && sent.status === 'AVAILABLE'), 5_000);
    const afterCancel = (await rpc.reservations(false)).reservations.find((candidate) => candidate.emspReservationId === 'EMSP-R1');
    assert.equal(afterCancel?.status, 'CANCELLED');
    assert.ok(!(await rpc.reservations(true)).reservations.some((candidate) => candidate.emspReservationId === 'EMSP-R1'), '!(await rpc.reservations(true)).reservations.some((candidate) => candidate.emspReservationId === ...');

    // Expiry: the release is reported although locations fails the first attempt.
    const short = await rpc.receive({ type: 'RESERVE_NOW', ocpiJson: reserveBody('EMSP-R3', new Date(Date.now() + 2_000)).replace('EVSE7', 'EVSE8') });
    await rpc.report({ commandId: short.command!.id, result: 'ACCEPTED' });
    await waitFor('EVSE8 reported RESERVED', async () => locationStub.calls.some((sent) => sent.evseUid === 'EVSE8' && sent.status === 'RESERVED'), 5_000);
    locationStub.failures.next = 1;
    await waitFor('EVSE8 reported AVAILABLE after the failure', async () => locationStub.calls.some((sent) => sent.evseUid === 'EVSE8' && sent.status === 'AVAILABLE'), 10_000);
    assert.equal(locationStub.failures.next, 0, 'the first attempt failed');
    const expired = (await rpc.reservations(false)).reservations.find((candidate) => candidate.emspReservationId === 'EMSP-R3');
    assert.equal(expired?.status, 'EXPIRED');
    assert.equal(locationStub.calls.find((sent) => sent.evseUid === 'EVSE8' && sent.status === 'AVAILABLE')?.at, expired?.expiryDate, 'dated at the expiry');
  });

  test('a CommandChanged lost between save and publish is republished by the sweeper', async () => {
    const { command } = await startAtPartner();
    const id = command!.id;
    await partnerEvent(id, { responseJson: response('REJECTED') });
    await nextChange(id, (candidate) => candidate.state === REJECTED);
    // The writer clears the marker and the due entry just after the event is out: let it finish.
    const commandsCollection = db.collection('commands');
    const settled = async () => (await commandsCollection.findOne({ _id: id as never }))?.['unpublished'] === false && !(await db.collection('command_due').findOne({ _id: id as never }));
    await waitFor('the save to settle', settled, 5_000);
    // As if the process died after the save: the marker stays, the due entry points at now.
    await commandsCollection.updateOne({ _id: id as never }, { $set: { unpublished: true, saved_at: new Date(Date.now() - 60_000) } });
    await db.collection('command_due').updateOne({ _id: id as never }, { $set: { due_at: new Date() } }, { upsert: true });
    await waitFor('the republished event', async () => eventsOf(id).length === 3, 5_000);
    assert.deepEqual(eventsOf(id).map((event) => [event.revision, event.state]), [['1', REQUESTED], ['2', REJECTED], ['2', REJECTED]]);
    await waitFor('the marker and the due entry to clear again', settled, 5_000);
    await sleep(500);
    assert.equal(eventsOf(id).length, 3, 'published once more, not again and again');
  });

  // Last: a second replica joining and leaving the consumer group makes both rebalance for a while.
  test('WatchCommand on another replica follows changes made by this one (sessions.command.v1 follower)', async () => {
    const replica = await startServiceInProcess('sessions-test-b', (deps) => buildSessions(config, deps), {
      mongoUrl: config.MONGO_URL,
      dbName: config.MONGO_DB,
      kafkaBrokers: config.KAFKA_BROKERS,
      dropDatabase: false,
    });
    const other = new commandService.CommandServiceClient(replica.address, credentials.createInsecure());
    try {
      const body = { response_url: 'https://emsp.example/commands/6', location_id: 'LOC1', evse_uid: 'EVSE1', connector_id: '1' };
      const received = await rpc.receive({ type: 'UNLOCK_CONNECTOR', ocpiJson: JSON.stringify(body) });
      const stream = other.watchCommand({ id: received.command!.id });
      const states: commands.CommandState[] = [];
      stream.on('data', (message: commandService.WatchCommandResponse) => states.push(message.command!.state));
      const ended = new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      await waitFor('the current state on the other replica', async () => states.length === 1, 5_000);
      await rpc.report({ commandId: received.command!.id, result: 'ACCEPTED' });
      await ended;
      assert.deepEqual(states, [ACCEPTED, COMPLETED]);
    } finally {
      other.close();
      await replica.stop();
    }
  });
});
