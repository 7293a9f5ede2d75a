import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { createLogger } from '@voltmesh/telemetry';
import { commands, commandService, locationService, tokenService } from '@voltmesh/proto';
import { aLocation, aToken, anEvse, sleep, startSimPartner, type SimPartner } from '@voltmesh/testing';
import { startCsmsSimulator, type CsmsSimulator } from '../../scripts/demo/csms.js';
import { connectPartner, eventually, startTestMesh, type Envelope, type RunningMesh } from './mesh-fixture.js';

const OUR_EMSP = { countryCode: 'NL', partyId: 'VLM' };
const OUR_CPO = { countryCode: 'NL', partyId: 'VLT' };

describe('tokens, real-time authorization and commands end to end, in both roles', () => {
  let mesh: RunningMesh;
  let emsp: SimPartner;
  let cpo: SimPartner;
  let csms: CsmsSimulator;
  let tokensApi: tokenService.TokenServiceClient;
  let commandsApi: commandService.CommandServiceClient;
  let locationsApi: locationService.LocationServiceClient;
  let base: string;
  const connect = (partner: SimPartner) => connectPartner(mesh, partner);
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) =>
    callUnary<Req, Res>(method as never, request, 10_000);
  const issue = (token: ReturnType<typeof aToken>, account?: Partial<tokenService.IssueTokenRequest['account']>) =>
    rpc<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(tokensApi.issueToken.bind(tokensApi), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(token), ...(account ? { account } : {}) }));
  const authorizeAtOurCpo = (uid: string) =>
    rpc<tokenService.AuthorizeRequest, tokenService.AuthorizeResponse>(tokensApi.authorize.bind(tokensApi), tokenService.AuthorizeRequest.fromPartial({ uid, type: 'RFID', cpo: OUR_CPO, locationId: 'CMD-LOC', evseUids: ['CMD-E1'] }));
  const getCommand = async (id: string) =>
    (await rpc<commandService.GetCommandRequest, commandService.GetCommandResponse>(commandsApi.getCommand.bind(commandsApi), { id })).command!;
  const asEmsp = (method: string, url: string, body?: unknown) => emsp.callPeer(method, url, body);
  const asCpo = (method: string, url: string, body?: unknown) => cpo.callPeer(method, url, body);
  const statusOf = (result: { body: unknown }) => (result.body as Envelope).status_code;

  before(async () => {
    mesh = await startTestMesh('tokens-commands', {
      RTA_TIMEOUT_MS: '800',
      COMMAND_TIMEOUT_S: '2',
      COMMAND_RATE_PER_MINUTE: '600',
      COMMAND_RATE_BURST: '40',
      SWEEP_INTERVAL_MS: '200',
      PULL_POLL_MS: '300',
    });
    base = mesh.versionsUrl.replace(/\/ocpi\/versions$/, '');
    emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP' });
    // Published before it connects: our CPO pulls the eMSP's tokens on connect.
    emsp.published['tokens'] = [aToken({ uid: 'EMS-PULLED', whitelist: 'ALWAYS' })];
    cpo = await startSimPartner({ countryCode: 'BE', partyId: 'CPO', role: 'CPO' });
    await connect(emsp);
    await connect(cpo);
    const address = (name: keyof RunningMesh['grpcPorts']) => `127.0.0.1:${mesh.grpcPorts[name]}`;
    tokensApi = new tokenService.TokenServiceClient(address('authorization'), credentials.createInsecure());
    commandsApi = new commandService.CommandServiceClient(address('sessions'), credentials.createInsecure());
    locationsApi = new locationService.LocationServiceClient(address('locations'), credentials.createInsecure());
    const location = aLocation({ ...{ country_code: 'NL', party_id: 'VLT' }, id: 'CMD-LOC', evses: [anEvse({ uid: 'CMD-E1' }), anEvse({ uid: 'CMD-E2', evse_id: 'NL*VLT*E2' })] });
    await rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locationsApi.upsertLocation.bind(locationsApi), { ocpiJson: JSON.stringify(location) });
    csms = await startCsmsSimulator({
      kafkaBrokers: mesh.kafkaBrokers,
      sessionsAddress: address('sessions'),
      locationsAddress: address('locations'),
      groupId: `csms-${mesh.databasePrefix}`,
      logger: createLogger('csms-simulator', 'silent'),
      // The charger never answers an unlock: that command must time out towards the partner.
      results: { UNLOCK_CONNECTOR: undefined },
    });
  });

  after(async () => {
    await csms?.stop();
    tokensApi?.close();
    commandsApi?.close();
    locationsApi?.close();
    await emsp?.close();
    await cpo?.close();
    await mesh?.stop();
  });

  test('our eMSP: issued and blocked tokens are pushed to the partner CPO, which reads them and authorizes them in real time', async () => {
    const ours = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'VLM-0001', contract_id: 'NL-VLM-C00000001-X', whitelist: 'ALLOWED', last_updated: new Date().toISOString() });
    await issue(ours);
    const tokenPushes = () => cpo.state.received.filter((push) => push.method === 'PUT' && push.path.startsWith('/ocpi/2.2.1/tokens/NL/VLM/VLM-0001'));
    const pushed = await eventually(tokenPushes, (pushes) => pushes.length > 0, 'the token PUT at the partner CPO');
    assert.match(pushed[0]!.path, /\?type=RFID$/);
    assert.equal((pushed[0]!.body as { contract_id: string }).contract_id, ours.contract_id);
    assert.equal(pushed[0]!.headers['ocpi-to-party-id'], 'CPO');

    const tokensUrl = cpo.peerEndpoint('tokens', 'SENDER');
    const page = await asCpo('GET', `${tokensUrl}?limit=10`);
    assert.equal(statusOf(page), 1000);
    assert.ok((page.body as Envelope<{ uid: string }[]>).data!.some((token) => token.uid === 'VLM-0001'), 'our token is on the page');

    const allowed = await asCpo('POST', `${tokensUrl}VLM-0001/authorize`, { location_id: 'LOC9', evse_uids: ['E1'] });
    const info = (allowed.body as Envelope<{ allowed: string; authorization_reference: string; location: unknown; token: { uid: string } }>).data!;
    assert.equal(info.allowed, 'ALLOWED', JSON.stringify(allowed.body));
    assert.ok(info.authorization_reference, 'an authorization_reference');
    assert.deepEqual(info.location, { location_id: 'LOC9', evse_uids: ['E1'] });

    await rpc<tokenService.BlockTokenRequest, tokenService.BlockTokenResponse>(tokensApi.blockToken.bind(tokensApi), { token: { party: OUR_EMSP, uid: 'VLM-0001', type: 'RFID' } });
    await eventually(tokenPushes, (pushes) => pushes.some((push) => (push.body as { valid: boolean }).valid === false), 'the blocked token pushed');
    const blocked = await asCpo('POST', `${tokensUrl}VLM-0001/authorize`);
    assert.equal((blocked.body as Envelope<{ allowed: string }>).data?.allowed, 'BLOCKED');

    // Another eMSP connected to us may neither page through our tokens nor probe them.
    assert.equal((await asEmsp('GET', `${tokensUrl}?limit=10`)).httpStatus, 404);
    assert.equal((await asEmsp('POST', `${tokensUrl}VLM-0001/authorize`)).httpStatus, 404);
    const unknown = await asCpo('POST', `${tokensUrl}NOBODY/authorize`);
    assert.equal(unknown.httpStatus, 404);
    assert.equal(statusOf(unknown), 2004);
    const badBody = await asCpo('POST', `${tokensUrl}VLM-0001/authorize`, { evse_uids: 'E1' });
    assert.equal(statusOf(badBody), 2001);
    assert.match((badBody.body as Envelope).status_message ?? '', /location_id|evse_uids/);
  });

  test('our CPO: a partner eMSP pushes its tokens; no other partner sees them; our CSMS authorizes them by whitelist', async () => {
    const tokensUrl = emsp.peerEndpoint('tokens', 'RECEIVER');
    const theirs = aToken({ uid: 'EMS-ALLOWED', whitelist: 'ALLOWED', last_updated: new Date().toISOString() });
    emsp.published['tokens'] = [theirs, aToken({ uid: 'EMS-NEVER', whitelist: 'NEVER' }), aToken({ uid: 'EMS-OFFLINE', whitelist: 'ALLOWED_OFFLINE' })];
    for (const token of emsp.published['tokens'] as ReturnType<typeof aToken>[]) {
      const put = await asEmsp('PUT', `${tokensUrl}DE/EMS/${token.uid}`, { ...token, last_updated: new Date().toISOString() });
      assert.equal(statusOf(put), 1000, JSON.stringify(put.body));
    }
    const always = aToken({ uid: 'EMS-ALWAYS', whitelist: 'ALWAYS', last_updated: new Date().toISOString() });
    assert.equal(statusOf(await asEmsp('PUT', `${tokensUrl}DE/EMS/EMS-ALWAYS`, always)), 1000);
    const readBack = await eventually(() => asEmsp('GET', `${tokensUrl}DE/EMS/EMS-ALLOWED`), (result) => statusOf(result) === 1000, 'the token read back');
    assert.equal((readBack.body as Envelope<{ whitelist: string }>).data?.whitelist, 'ALLOWED');

    // Another party's URL, and another partner reading it: refused, nothing learned.
    assert.equal((await asEmsp('PUT', `${tokensUrl}BE/CPO/EMS-X`, aToken({ country_code: 'BE', party_id: 'CPO', uid: 'EMS-X' }))).httpStatus, 404);
    const otherPartner = await asCpo('GET', `${tokensUrl}DE/EMS/EMS-ALLOWED`);
    assert.notEqual(statusOf(otherPartner), 1000);
    const unknownPatch = await asEmsp('PATCH', `${tokensUrl}DE/EMS/NEVER-PUT`, { valid: false, last_updated: new Date().toISOString() });
    assert.equal(statusOf(unknownPatch), 2004);
    const mismatch = await asEmsp('PUT', `${tokensUrl}DE/EMS/OTHER-UID`, theirs);
    assert.equal(statusOf(mismatch), 2001);
    assert.match((mismatch.body as Envelope).status_message ?? '', /uid/);

    // Pulled from the eMSP's Sender interface on connect.
    const pulled = await eventually(() => authorizeAtOurCpo('EMS-PULLED'), (answer) => answer.decidedBy === tokenService.DecidedBy.DECIDED_BY_LOCAL, 'the pulled token decided locally');
    assert.equal(pulled.allowed, 'ALLOWED');
    // ALWAYS: decided locally, the eMSP is not asked.
    await eventually(() => authorizeAtOurCpo('EMS-ALWAYS'), (answer) => answer.decidedBy === tokenService.DecidedBy.DECIDED_BY_LOCAL, 'a local decision');
    assert.equal(emsp.state.authorizeRequests.filter((request) => request.uid === 'EMS-ALWAYS').length, 0);
    // ALLOWED: the eMSP answers in real time.
    const asked = await authorizeAtOurCpo('EMS-ALLOWED');
    assert.equal(asked.allowed, 'ALLOWED');
    assert.equal(asked.decidedBy, tokenService.DecidedBy.DECIDED_BY_EMSP);
    assert.match(asked.authorizationReference, /^SIM/);
    // The eMSP too slow (past RTA_TIMEOUT_MS = 800): ALLOWED falls back to the local answer,
    // ALLOWED_OFFLINE allows, NEVER denies.
    emsp.behaviour.authorizeDelayMs = 1_500;
    const [fallback, offline, never] = await Promise.all([authorizeAtOurCpo('EMS-ALLOWED'), authorizeAtOurCpo('EMS-OFFLINE'), authorizeAtOurCpo('EMS-NEVER')]);
    emsp.behaviour.authorizeDelayMs = 0;
    assert.deepEqual([fallback.allowed, fallback.decidedBy], ['ALLOWED', tokenService.DecidedBy.DECIDED_BY_FALLBACK]);
    assert.deepEqual([offline.allowed, offline.decidedBy], ['ALLOWED', tokenService.DecidedBy.DECIDED_BY_FALLBACK]);
    assert.deepEqual([never.allowed, never.decidedBy], ['NOT_ALLOWED', tokenService.DecidedBy.DECIDED_BY_FALLBACK]);
    const unknown = await authorizeAtOurCpo('NO-SUCH-CARD');
    assert.deepEqual([unknown.allowed, unknown.decidedBy], ['NOT_ALLOWED', tokenService.DecidedBy.DECIDED_BY_UNKNOWN_TOKEN]);
  });

  test('our CPO: a partner START_SESSION reaches the CSMS, the session starts and the CommandResult reaches the eMSP; STOP likewise', async () => {
    const commandsUrl = emsp.peerEndpoint('commands', 'RECEIVER');
    const token = (emsp.published['tokens'] as ReturnType<typeof aToken>[])[0]!;
    const responseUrl = `${emsp.baseUrl}/ocpi/2.2.1/commands/START_SESSION/e2e-start-1`;
    const answer = await asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: responseUrl, token, location_id: 'CMD-LOC', evse_uid: 'CMD-E1' });
    assert.equal(statusOf(answer), 1000, JSON.stringify(answer.body));
    assert.deepEqual((answer.body as Envelope<{ result: string; timeout: number }>).data, { result: 'ACCEPTED', timeout: 2, message: [] });
    const result = await eventually(() => emsp.state.received.find((push) => push.method === 'POST' && push.path === '/ocpi/2.2.1/commands/START_SESSION/e2e-start-1'), Boolean, 'the START_SESSION result at the eMSP');
    assert.equal((result!.body as { result: string }).result, 'ACCEPTED');
    // The CSMS records what it did once its report returned, which may be after the result reached the eMSP.
    const started = await eventually(() => csms.handled.find((done) => done.type === 'START_SESSION'), (done) => !!done?.sessionId, 'the CSMS started a session');
    // The charger reported CHARGING: the EVSE status reaches the partner eMSP's locations Receiver.
    await eventually(() => emsp.state.received.filter((push) => push.path.includes('/locations/NL/VLT/CMD-LOC')), (pushes) => pushes.some((push) => JSON.stringify(push.body).includes('CHARGING')), 'CHARGING pushed');

    const stopUrl = `${emsp.baseUrl}/ocpi/2.2.1/commands/STOP_SESSION/e2e-stop-1`;
    const stop = await asEmsp('POST', `${commandsUrl}STOP_SESSION`, { response_url: stopUrl, session_id: started!.sessionId });
    assert.equal((stop.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED');
    await eventually(() => emsp.state.received.find((push) => push.path === '/ocpi/2.2.1/commands/STOP_SESSION/e2e-stop-1'), Boolean, 'the STOP_SESSION result');
    const unknownSession = await asEmsp('POST', `${commandsUrl}STOP_SESSION`, { response_url: stopUrl, session_id: 'NO-SUCH-SESSION' });
    assert.equal((unknownSession.body as Envelope<{ result: string }>).data?.result, 'UNKNOWN_SESSION');
  });

  test('our CPO: a command the CSMS never answers gets a TIMEOUT result at the partner after our announced timeout', async () => {
    const commandsUrl = emsp.peerEndpoint('commands', 'RECEIVER');
    const responseUrl = `${emsp.baseUrl}/ocpi/2.2.1/commands/UNLOCK_CONNECTOR/e2e-unlock-1`;
    const answer = await asEmsp('POST', `${commandsUrl}UNLOCK_CONNECTOR`, { response_url: responseUrl, location_id: 'CMD-LOC', evse_uid: 'CMD-E2', connector_id: '1' });
    assert.equal((answer.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED', JSON.stringify(answer.body));
    const result = await eventually(() => emsp.state.received.find((push) => push.path === '/ocpi/2.2.1/commands/UNLOCK_CONNECTOR/e2e-unlock-1'), Boolean, 'the TIMEOUT result', 20_000);
    assert.equal((result!.body as { result: string }).result, 'TIMEOUT');
  });

  test('our CPO: a reservation holds the EVSE (RESERVED reaches the partner) until it is cancelled', async () => {
    const commandsUrl = emsp.peerEndpoint('commands', 'RECEIVER');
    const token = (emsp.published['tokens'] as ReturnType<typeof aToken>[])[0]!;
    const evsePushes = () => emsp.state.received.filter((push) => push.path.startsWith('/ocpi/2.2.1/locations/NL/VLT/CMD-LOC'));
    const lastStatusOfE2 = () => {
      for (const push of [...evsePushes()].reverse()) {
        const body = push.body as { status?: string; evses?: { uid: string; status: string }[] };
        if (push.path.endsWith('/CMD-E2') && body.status) return body.status;
        const evse = body.evses?.find((candidate) => candidate.uid === 'CMD-E2');
        if (evse) return evse.status;
      }
      return undefined;
    };
    const reserve = await asEmsp('POST', `${commandsUrl}RESERVE_NOW`, {
      response_url: `${emsp.baseUrl}/ocpi/2.2.1/commands/RESERVE_NOW/e2e-reserve-1`,
      token,
      expiry_date: new Date(Date.now() + 3_600_000).toISOString(),
      reservation_id: 'EMS-RES-1',
      location_id: 'CMD-LOC',
      evse_uid: 'CMD-E2',
    });
    assert.equal((reserve.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED', JSON.stringify(reserve.body));
    const reserved = await eventually(() => emsp.state.received.find((push) => push.path === '/ocpi/2.2.1/commands/RESERVE_NOW/e2e-reserve-1'), Boolean, 'the RESERVE_NOW result');
    assert.equal((reserved!.body as { result: string }).result, 'ACCEPTED');
    await eventually(lastStatusOfE2, (status) => status === 'RESERVED', 'RESERVED pushed to the partner');

    const cancel = await asEmsp('POST', `${commandsUrl}CANCEL_RESERVATION`, { response_url: `${emsp.baseUrl}/ocpi/2.2.1/commands/CANCEL_RESERVATION/e2e-cancel-1`, reservation_id: 'EMS-RES-1' });
    assert.equal((cancel.body as Envelope<{ result: string }>).data?.result, 'ACCEPTED');
    await eventually(() => emsp.state.received.find((push) => push.path === '/ocpi/2.2.1/commands/CANCEL_RESERVATION/e2e-cancel-1'), Boolean, 'the CANCEL_RESERVATION result');
    await eventually(lastStatusOfE2, (status) => status === 'AVAILABLE', 'AVAILABLE pushed to the partner');
  });

  test('our CPO: bad commands get the spec answer and nothing reaches the CSMS; beyond its rate limit a partner gets 429', async () => {
    const commandsUrl = emsp.peerEndpoint('commands', 'RECEIVER');
    const token = (emsp.published['tokens'] as ReturnType<typeof aToken>[])[0]!;
    const handledBefore = csms.handled.length;
    const responseUrl = `${emsp.baseUrl}/ocpi/2.2.1/commands/START_SESSION/bad`;
    const unknownLocation = await asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: responseUrl, token, location_id: 'NOPE' });
    assert.deepEqual([statusOf(unknownLocation), (unknownLocation.body as Envelope<{ result: string }>).data?.result], [2003, 'REJECTED']);
    const unknownEvse = await asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: responseUrl, token, location_id: 'CMD-LOC', evse_uid: 'NOPE' });
    assert.equal(statusOf(unknownEvse), 2003);
    const otherToken = await asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: responseUrl, token: aToken({ party_id: 'XYZ' }), location_id: 'CMD-LOC' });
    assert.equal(statusOf(otherToken), 2001);
    const neverPushed = await asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: responseUrl, token: aToken({ uid: 'NEVER-PUSHED' }), location_id: 'CMD-LOC' });
    assert.equal(statusOf(neverPushed), 2004);
    const malformed = await asEmsp('POST', `${commandsUrl}RESERVE_NOW`, { response_url: responseUrl, token });
    assert.equal(statusOf(malformed), 2001);
    assert.match((malformed.body as Envelope).status_message ?? '', /expiry_date|reservation_id|location_id/);
    await sleep(500);
    assert.equal(csms.handled.length, handledBefore, 'nothing reached the CSMS');

    const burst = await Promise.all(Array.from({ length: 60 }, () => asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: responseUrl, token, location_id: 'NOPE' })));
    const limited = burst.filter((result) => result.httpStatus === 429);
    assert.ok(limited.length > 0, 'some were rate limited');
    assert.ok(Number(limited[0]!.headers['retry-after']) >= 1, 'Retry-After in seconds');
    assert.equal(statusOf(limited[0]!), 2000);
  });

  test('our eMSP: the driver starts a session at a partner CPO; the result comes back through our response_url; a REJECTED answer ends the command', async () => {
    await issue(aToken({ country_code: 'NL', party_id: 'VLM', uid: 'VLM-DRIVER', contract_id: 'NL-VLM-C00000002-X', whitelist: 'NEVER', last_updated: new Date().toISOString() }));
    const reply = await rpc<commandService.StartSessionRequest, commandService.StartSessionResponse>(commandsApi.startSession.bind(commandsApi), {
      token: { party: OUR_EMSP, uid: 'VLM-DRIVER', type: 'RFID' },
      cpo: { countryCode: 'BE', partyId: 'CPO' },
      locationId: 'BE-LOC-1',
      evseUid: 'BE-E1',
      connectorId: '',
    });
    const id = reply.command!.id;
    const sent = await eventually(() => cpo.state.commands.find((command) => command.body['response_url'] === `${base}/ocpi/2.2.1/emsp/commands/START_SESSION/${id}`), Boolean, 'the START_SESSION at the partner CPO');
    assert.equal((sent!.body['token'] as { uid: string }).uid, 'VLM-DRIVER');
    assert.ok(sent!.body['authorization_reference'], 'the command carries an authorization_reference');
    const done = await eventually(() => getCommand(id), (command) => command.state === commands.CommandState.COMMAND_STATE_COMPLETED, 'the command completed');
    assert.equal(JSON.parse(done.resultJson).result, 'ACCEPTED');
    assert.equal(cpo.state.resultsPosted.at(-1)?.httpStatus, 200);

    cpo.behaviour.commandResponse = 'REJECTED';
    const rejected = await rpc<commandService.StopSessionRequest, commandService.StopSessionResponse>(commandsApi.stopSession.bind(commandsApi), { cpo: { countryCode: 'BE', partyId: 'CPO' }, sessionId: 'BE-SESSION-1', emsp: OUR_EMSP });
    await eventually(() => getCommand(rejected.command!.id), (command) => command.state === commands.CommandState.COMMAND_STATE_REJECTED, 'the command rejected');
    cpo.behaviour.commandResponse = 'ACCEPTED';

    // A result from a partner the command did not go to is refused.
    const forged = await asEmsp('POST', `${base}/ocpi/2.2.1/emsp/commands/START_SESSION/${id}`, { result: 'FAILED', message: [] });
    assert.equal(forged.httpStatus, 404);
  });
});
