import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { commandService, locationService, sessionService, sessions, tokenService } from '@voltmesh/proto';
import { aCdr, aLocation, aSession, aTariff, aToken, anEvse, startSimPartner, stopMesh, testInfra, type SimPartner } from '@voltmesh/testing';
import { connectPartner, eventually, http, ocpiToken, startTestMesh, type Envelope, type HttpResult, type RunningMesh } from '../e2e/mesh-fixture.js';

type Party = { countryCode: string; partyId: string };
const OUR_CPO: Party = { countryCode: 'NL', partyId: 'VLT' };
const OUR_EMSP: Party = { countryCode: 'NL', partyId: 'VLM' };
const ATTACKER_CPO: Party = { countryCode: 'BE', partyId: 'ATK' };
const VICTIM_CPO: Party = { countryCode: 'BE', partyId: 'VIC' };
const ATTACKER_EMSP: Party = { countryCode: 'DE', partyId: 'ATE' };
const VICTIM_EMSP: Party = { countryCode: 'DE', partyId: 'VIE' };
const NOW = new Date().toISOString();

/** Who an `OCPI-from-*` header names, and who `OCPI-to-*` names. */
const FROM = ['absent', 'attacker', 'victim', 'our-party'] as const;
const TO = ['absent', 'right', 'our-other-role', 'victim'] as const;
/** Whose party the URL's `{country_code}/{party_id}` and the body's `country_code`/`party_id` name. */
const OWNER = ['attacker', 'victim'] as const;
type From = (typeof FROM)[number];
type To = (typeof TO)[number];
type Owner = (typeof OWNER)[number];

interface Attack {
  /** e.g. `PUT emsp/locations`. */
  route: string;
  caller: 'cpo' | 'emsp';
  /** Our role that serves the route: `OCPI-to-*` must name it. */
  ours: 'CPO' | 'EMSP';
  /** Which dimensions the route has (a URL party, a body party). */
  urlParty: boolean;
  bodyParty: boolean;
  /** Whether a combination with every party the caller's own may be accepted (the positive control), or is refused whatever it says (another party's object). */
  ownAllowed: 'accepted' | 'may-pass' | 'never';
  build(url: Party, body: Party): { method: string; path: string; body?: unknown };
  /** A refusal that OCPI answers inside a 1000 (e.g. ChargingProfileResponse UNKNOWN_SESSION). */
  refusedInData?: (data: unknown) => boolean;
}

interface Case {
  attack: Attack;
  url: Owner;
  body: Owner;
  from: From;
  to: To;
}

/**
 * Object-level authorization: for every module and method we serve in both roles, a partner
 * acting on another party's objects — the URL's party, the body's party and the routing headers
 * disagreeing in every combination — is refused (HTTP 404, or an OCPI 2xxx error), and nothing
 * changes: each victim object reads back the same afterwards. The matrix is generated from the
 * routes' dimensions; the combinations where everything names the caller's own party are the
 * positive control (they must pass where the object is the caller's), so a gateway refusing
 * everything would fail too.
 */
describe('security: object-level authorization matrix (URL, body and routing headers in every combination)', () => {
  let mesh: RunningMesh;
  let attackerCpo: SimPartner;
  let victimCpo: SimPartner;
  let attackerEmsp: SimPartner;
  let victimEmsp: SimPartner;
  let base: string;
  let sessionsApi: sessionService.SessionServiceClient;
  let commandsApi: commandService.CommandServiceClient;
  let ourCommandId: string;
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) => callUnary<Req, Res>(method as never, request, 10_000);
  const as = (partner: SimPartner, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    http(method, `${base}${path}`, { authorization: ocpiToken(partner.state.peerToken!), ...(body !== undefined ? { body } : {}), headers });
  const statusOf = (result: HttpResult) => (result.body as Envelope | undefined)?.status_code;

  const victimToken = aToken({ country_code: 'DE', party_id: 'VIE', uid: 'VIE-CARD-1', contract_id: 'DE-VIE-C00000001-X', last_updated: NOW });
  const ourToken = aToken({ country_code: 'NL', party_id: 'VLM', uid: 'VLM-SEC-1', contract_id: 'NL-VLM-C00000091-X', last_updated: NOW });
  const ourCdrToken = { country_code: 'NL', party_id: 'VLM', uid: 'VLM-SEC-1', type: 'RFID' as const, contract_id: 'NL-VLM-C00000091-X' };
  const victimLocation = (party: Party) => aLocation({ country_code: party.countryCode, party_id: party.partyId, id: 'VIC-LOC', evses: [anEvse({ uid: 'VIC-E1' })], last_updated: NOW });
  const victimTariff = (party: Party) => aTariff({ country_code: party.countryCode, party_id: party.partyId, id: 'VIC-TARIFF', last_updated: NOW });
  const victimSession = (party: Party) => aSession({ country_code: party.countryCode, party_id: party.partyId, id: 'VIC-SESSION', cdr_token: ourCdrToken, location_id: 'VIC-LOC', evse_uid: 'VIC-E1', last_updated: NOW });
  const victimCdr = (party: Party) => aCdr({ country_code: party.countryCode, party_id: party.partyId, id: 'VIC-CDR', session_id: 'VIC-SESSION', cdr_token: ourCdrToken });
  const tokenOf = (party: Party) => ({ ...victimToken, country_code: party.countryCode, party_id: party.partyId });
  const profile = { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 1000 }] };

  /** Every route we serve that names or touches a party's object, with the dimensions it has. */
  const attacks = (): Attack[] => {
    const cpoWrite = (route: string, build: Attack['build'], ownAllowed: Attack['ownAllowed'], bodyParty = true): Attack => ({ route, caller: 'cpo', ours: 'EMSP', urlParty: true, bodyParty, ownAllowed, build });
    const party = (p: Party) => `${p.countryCode}/${p.partyId}`;
    return [
      // eMSP Receivers: a partner CPO's own objects.
      cpoWrite('PUT emsp/locations', (url, body) => ({ method: 'PUT', path: `/ocpi/2.2.1/emsp/locations/${party(url)}/VIC-LOC`, body: victimLocation(body) }), 'accepted'),
      cpoWrite('PATCH emsp/locations', (url, body) => ({ method: 'PATCH', path: `/ocpi/2.2.1/emsp/locations/${party(url)}/VIC-LOC`, body: { country_code: body.countryCode, party_id: body.partyId, name: 'hijacked', last_updated: NOW } }), 'may-pass'),
      cpoWrite('PATCH emsp/locations EVSE', (url) => ({ method: 'PATCH', path: `/ocpi/2.2.1/emsp/locations/${party(url)}/VIC-LOC/VIC-E1`, body: { status: 'INOPERATIVE', last_updated: NOW } }), 'may-pass', false),
      cpoWrite('GET emsp/locations', (url) => ({ method: 'GET', path: `/ocpi/2.2.1/emsp/locations/${party(url)}/VIC-LOC` }), 'may-pass', false),
      cpoWrite('PUT emsp/tariffs', (url, body) => ({ method: 'PUT', path: `/ocpi/2.2.1/emsp/tariffs/${party(url)}/VIC-TARIFF`, body: victimTariff(body) }), 'accepted'),
      cpoWrite('DELETE emsp/tariffs', (url) => ({ method: 'DELETE', path: `/ocpi/2.2.1/emsp/tariffs/${party(url)}/VIC-TARIFF` }), 'may-pass', false),
      cpoWrite('GET emsp/tariffs', (url) => ({ method: 'GET', path: `/ocpi/2.2.1/emsp/tariffs/${party(url)}/VIC-TARIFF` }), 'may-pass', false),
      cpoWrite('PUT emsp/sessions', (url, body) => ({ method: 'PUT', path: `/ocpi/2.2.1/emsp/sessions/${party(url)}/VIC-SESSION`, body: victimSession(body) }), 'accepted'),
      cpoWrite('PATCH emsp/sessions', (url, body) => ({ method: 'PATCH', path: `/ocpi/2.2.1/emsp/sessions/${party(url)}/VIC-SESSION`, body: { country_code: body.countryCode, party_id: body.partyId, status: 'INVALID', last_updated: NOW } }), 'may-pass'),
      cpoWrite('GET emsp/sessions', (url) => ({ method: 'GET', path: `/ocpi/2.2.1/emsp/sessions/${party(url)}/VIC-SESSION` }), 'may-pass', false),
      { route: 'POST emsp/cdrs', caller: 'cpo', ours: 'EMSP', urlParty: false, bodyParty: true, ownAllowed: 'accepted', build: (_url, body) => ({ method: 'POST', path: '/ocpi/2.2.1/emsp/cdrs', body: victimCdr(body) }) },
      cpoWrite('GET emsp/cdrs', (url) => ({ method: 'GET', path: `/ocpi/2.2.1/emsp/cdrs/${party(url)}/VIC-CDR` }), 'may-pass', false),
      // eMSP Sender, results: our drivers' sessions and commands at the victim CPO.
      // The session is the CPO's own by id (the caller's CPO party): with every party its own it addresses its own VIC-SESSION (the control's).
      { route: 'PUT emsp/chargingprofiles', caller: 'cpo', ours: 'EMSP', urlParty: false, bodyParty: false, ownAllowed: 'may-pass', build: () => ({ method: 'PUT', path: '/ocpi/2.2.1/emsp/chargingprofiles/VIC-SESSION', body: { start_date_time: NOW, charging_profile: profile } }) },
      { route: 'POST emsp/commands result', caller: 'cpo', ours: 'EMSP', urlParty: false, bodyParty: false, ownAllowed: 'never', build: () => ({ method: 'POST', path: `/ocpi/2.2.1/emsp/commands/START_SESSION/${ourCommandId}`, body: { result: 'FAILED' } }) },
      { route: 'POST emsp/chargingprofiles result', caller: 'cpo', ours: 'EMSP', urlParty: false, bodyParty: false, ownAllowed: 'never', build: () => ({ method: 'POST', path: `/ocpi/2.2.1/emsp/chargingprofiles/results/${ourCommandId}`, body: { result: 'REJECTED' } }) },
      // eMSP Sender tokens: our drivers' cards are for CPOs, never for another eMSP.
      { route: 'GET emsp/tokens (an eMSP)', caller: 'emsp', ours: 'EMSP', urlParty: false, bodyParty: false, ownAllowed: 'never', build: () => ({ method: 'GET', path: '/ocpi/2.2.1/emsp/tokens' }) },
      { route: 'POST emsp/tokens authorize (an eMSP)', caller: 'emsp', ours: 'EMSP', urlParty: false, bodyParty: false, ownAllowed: 'never', build: () => ({ method: 'POST', path: '/ocpi/2.2.1/emsp/tokens/VLM-SEC-1/authorize' }) },
      { route: 'POST emsp/tokens authorize', caller: 'cpo', ours: 'EMSP', urlParty: false, bodyParty: false, ownAllowed: 'may-pass', build: () => ({ method: 'POST', path: '/ocpi/2.2.1/emsp/tokens/VLM-SEC-1/authorize' }) },
      // CPO Receiver tokens: a partner eMSP's own tokens.
      { route: 'PUT cpo/tokens', caller: 'emsp', ours: 'CPO', urlParty: true, bodyParty: true, ownAllowed: 'accepted', build: (url, body) => ({ method: 'PUT', path: `/ocpi/2.2.1/cpo/tokens/${party(url)}/VIE-CARD-1`, body: tokenOf(body) }) },
      { route: 'PATCH cpo/tokens', caller: 'emsp', ours: 'CPO', urlParty: true, bodyParty: true, ownAllowed: 'may-pass', build: (url, body) => ({ method: 'PATCH', path: `/ocpi/2.2.1/cpo/tokens/${party(url)}/VIE-CARD-1`, body: { country_code: body.countryCode, party_id: body.partyId, valid: false, last_updated: NOW } }) },
      { route: 'GET cpo/tokens', caller: 'emsp', ours: 'CPO', urlParty: true, bodyParty: false, ownAllowed: 'may-pass', build: (url) => ({ method: 'GET', path: `/ocpi/2.2.1/cpo/tokens/${party(url)}/VIE-CARD-1` }) },
      // CPO Senders and Receivers on our CPO's session of the victim eMSP's driver.
      { route: 'PUT cpo/sessions charging_preferences', caller: 'emsp', ours: 'CPO', urlParty: false, bodyParty: false, ownAllowed: 'never', build: () => ({ method: 'PUT', path: '/ocpi/2.2.1/cpo/sessions/SEC-OUR-1/charging_preferences', body: { profile_type: 'FAST' } }) },
      ...(['PUT', 'GET', 'DELETE'] as const).map(
        (method): Attack => ({
          route: `${method} cpo/chargingprofiles`,
          caller: 'emsp',
          ours: 'CPO',
          urlParty: false,
          bodyParty: false,
          ownAllowed: 'never',
          refusedInData: (data) => (data as { result?: string } | undefined)?.result === 'UNKNOWN_SESSION',
          build: () => {
            const responseUrl = `${attackerEmsp.baseUrl}/ocpi/2.2.1/chargingprofiles/results/x`;
            if (method === 'PUT') return { method, path: '/ocpi/2.2.1/cpo/chargingprofiles/SEC-OUR-1', body: { charging_profile: profile, response_url: responseUrl } };
            const query = method === 'GET' ? `duration=60&response_url=${encodeURIComponent(responseUrl)}` : `response_url=${encodeURIComponent(responseUrl)}`;
            return { method, path: `/ocpi/2.2.1/cpo/chargingprofiles/SEC-OUR-1?${query}` };
          },
        }),
      ),
      {
        route: 'POST cpo/commands START_SESSION (another eMSP’s token)',
        caller: 'emsp',
        ours: 'CPO',
        urlParty: false,
        bodyParty: false,
        ownAllowed: 'never',
        refusedInData: (data) => (data as { result?: string } | undefined)?.result !== 'ACCEPTED',
        build: () => ({ method: 'POST', path: '/ocpi/2.2.1/cpo/commands/START_SESSION', body: { response_url: `${attackerEmsp.baseUrl}/r`, token: victimToken, location_id: 'SEC-LOC', evse_uid: 'SEC-E1' } }),
      },
      {
        route: 'POST cpo/commands STOP_SESSION (another eMSP’s session)',
        caller: 'emsp',
        ours: 'CPO',
        urlParty: false,
        bodyParty: false,
        ownAllowed: 'never',
        // OCPI answers a session that is not the eMSP's inside a 1000: CommandResponse UNKNOWN_SESSION.
        refusedInData: (data) => (data as { result?: string } | undefined)?.result === 'UNKNOWN_SESSION',
        build: () => ({ method: 'POST', path: '/ocpi/2.2.1/cpo/commands/STOP_SESSION', body: { response_url: `${attackerEmsp.baseUrl}/r`, session_id: 'SEC-OUR-1' } }),
      },
      // Hub client info is for hubs only: a CPO gets what an unknown URL gets.
      { route: 'PUT hubclientinfo', caller: 'cpo', ours: 'EMSP', urlParty: true, bodyParty: true, ownAllowed: 'never', build: (url, body) => ({ method: 'PUT', path: `/ocpi/2.2.1/hubclientinfo/${party(url)}`, body: { country_code: body.countryCode, party_id: body.partyId, role: 'CPO', status: 'OFFLINE', last_updated: NOW } }) },
      { route: 'GET hubclientinfo', caller: 'cpo', ours: 'EMSP', urlParty: true, bodyParty: false, ownAllowed: 'never', build: (url) => ({ method: 'GET', path: `/ocpi/2.2.1/hubclientinfo/${party(url)}` }) },
    ];
  };

  const cases = (): Case[] =>
    attacks().flatMap((attack) =>
      (attack.urlParty ? OWNER : (['attacker'] as const)).flatMap((url) =>
        (attack.bodyParty ? OWNER : (['attacker'] as const)).flatMap((body) => FROM.flatMap((from) => TO.map((to): Case => ({ attack, url, body, from, to })))),
      ),
    );

  /** Everything the caller's own: its party in URL and body, routing headers absent or right. */
  const allOwn = (c: Case) => c.url === 'attacker' && c.body === 'attacker' && (c.from === 'absent' || c.from === 'attacker') && (c.to === 'absent' || c.to === 'right');

  const headersOf = (c: Case): Record<string, string> => {
    const [attacker, victim] = c.attack.caller === 'cpo' ? [ATTACKER_CPO, VICTIM_CPO] : [ATTACKER_EMSP, VICTIM_EMSP];
    const right = c.attack.ours === 'CPO' ? OUR_CPO : OUR_EMSP;
    const other = c.attack.ours === 'CPO' ? OUR_EMSP : OUR_CPO;
    const from = { absent: undefined, attacker, victim, 'our-party': right }[c.from];
    const to = { absent: undefined, right, 'our-other-role': other, victim }[c.to];
    return {
      ...(from ? { 'ocpi-from-country-code': from.countryCode, 'ocpi-from-party-id': from.partyId } : {}),
      ...(to ? { 'ocpi-to-country-code': to.countryCode, 'ocpi-to-party-id': to.partyId } : {}),
    };
  };

  /** What a victim reads back of its objects (GET by the owner), and our records of them (gRPC). */
  const snapshot = async () => {
    const read = async (partner: SimPartner, path: string) => {
      const result = await as(partner, 'GET', path);
      return { status: result.status, body: (result.body as Envelope).data ?? null };
    };
    const ourSession = await rpc<sessionService.GetSessionRequest, sessionService.GetSessionResponse>(sessionsApi.getSession.bind(sessionsApi), {
      role: sessions.SessionRole.SESSION_ROLE_CPO,
      cpo: OUR_CPO,
      sessionId: 'SEC-OUR-1',
    });
    const command = await rpc<commandService.GetCommandRequest, commandService.GetCommandResponse>(commandsApi.getCommand.bind(commandsApi), { id: ourCommandId });
    return {
      location: await read(victimCpo, '/ocpi/2.2.1/emsp/locations/BE/VIC/VIC-LOC'),
      tariff: await read(victimCpo, '/ocpi/2.2.1/emsp/tariffs/BE/VIC/VIC-TARIFF'),
      session: await read(victimCpo, '/ocpi/2.2.1/emsp/sessions/BE/VIC/VIC-SESSION'),
      cdr: await read(victimCpo, '/ocpi/2.2.1/emsp/cdrs/BE/VIC/VIC-CDR'),
      token: await read(victimEmsp, '/ocpi/2.2.1/cpo/tokens/DE/VIE/VIE-CARD-1'),
      ourSession: ourSession.session,
      // Our command may time out meanwhile; what must never appear is the attacker's forged result.
      forgedResult: /FAILED|"REJECTED"/.test(command.command?.resultJson ?? ''),
      commandKnown: command.command !== undefined,
    };
  };

  before(async () => {
    mesh = await startTestMesh('security-matrix', { COMMAND_RATE_BURST: '1000', CHARGING_PROFILE_RATE_BURST: '1000', PULL_POLL_MS: '300' });
    base = mesh.versionsUrl.replace(/\/ocpi\/versions$/, '');
    [attackerCpo, victimCpo, attackerEmsp, victimEmsp] = await Promise.all([
      startSimPartner({ countryCode: 'BE', partyId: 'ATK', role: 'CPO' }),
      startSimPartner({ countryCode: 'BE', partyId: 'VIC', role: 'CPO' }),
      startSimPartner({ countryCode: 'DE', partyId: 'ATE', role: 'EMSP' }),
      startSimPartner({ countryCode: 'DE', partyId: 'VIE', role: 'EMSP' }),
    ]);
    for (const partner of [attackerCpo, victimCpo, attackerEmsp, victimEmsp]) await connectPartner(mesh, partner);
    const address = (name: keyof RunningMesh['grpcPorts']) => `127.0.0.1:${mesh.grpcPorts[name]}`;
    sessionsApi = new sessionService.SessionServiceClient(address('sessions'), credentials.createInsecure());
    commandsApi = new commandService.CommandServiceClient(address('sessions'), credentials.createInsecure());
    const tokensApi = new tokenService.TokenServiceClient(address('authorization'), credentials.createInsecure());
    const locationsApi = new locationService.LocationServiceClient(address('locations'), credentials.createInsecure());
    try {
      await rpc<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(tokensApi.issueToken.bind(tokensApi), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(ourToken) }));
      const ourLocation = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'SEC-LOC', evses: [anEvse({ uid: 'SEC-E1', evse_id: 'NL*VLT*ESEC1' })], last_updated: NOW });
      await rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locationsApi.upsertLocation.bind(locationsApi), { ocpiJson: JSON.stringify(ourLocation) });
    } finally {
      tokensApi.close();
      locationsApi.close();
    }

    // The victims' objects, each pushed by its owner and read back before the attacks.
    const ok = (result: HttpResult, what: string) => assert.equal(statusOf(result), 1000, `${what}: ${JSON.stringify(result.body)}`);
    ok(await as(victimCpo, 'PUT', '/ocpi/2.2.1/emsp/locations/BE/VIC/VIC-LOC', victimLocation(VICTIM_CPO)), 'victim location');
    ok(await as(victimCpo, 'PUT', '/ocpi/2.2.1/emsp/tariffs/BE/VIC/VIC-TARIFF', victimTariff(VICTIM_CPO)), 'victim tariff');
    ok(await as(victimEmsp, 'PUT', '/ocpi/2.2.1/cpo/tokens/DE/VIE/VIE-CARD-1', victimToken), 'victim token');
    await eventually(() => as(victimCpo, 'GET', '/ocpi/2.2.1/emsp/locations/BE/VIC/VIC-LOC'), (result) => statusOf(result) === 1000, 'the victim location stored');
    ok(await as(victimCpo, 'PUT', '/ocpi/2.2.1/emsp/sessions/BE/VIC/VIC-SESSION', victimSession(VICTIM_CPO)), 'victim session');
    ok(await as(victimCpo, 'POST', '/ocpi/2.2.1/emsp/cdrs', victimCdr(VICTIM_CPO)), 'victim CDR');
    await eventually(() => as(victimEmsp, 'GET', '/ocpi/2.2.1/cpo/tokens/DE/VIE/VIE-CARD-1'), (result) => statusOf(result) === 1000, 'the victim token stored');
    await eventually(() => as(victimCpo, 'GET', '/ocpi/2.2.1/emsp/sessions/BE/VIC/VIC-SESSION'), (result) => statusOf(result) === 1000, 'the victim session stored');
    await eventually(() => as(victimCpo, 'GET', '/ocpi/2.2.1/emsp/tariffs/BE/VIC/VIC-TARIFF'), (result) => statusOf(result) === 1000, 'the victim tariff stored');
    // Our CPO's session of the victim eMSP's driver, and our driver's command at the victim CPO (left unanswered).
    await rpc<sessionService.ReportSessionStartedRequest, sessionService.ReportSessionStartedResponse>(
      sessionsApi.reportSessionStarted.bind(sessionsApi),
      sessionService.ReportSessionStartedRequest.fromPartial({
        cpo: OUR_CPO,
        sessionId: 'SEC-OUR-1',
        tokenParty: VICTIM_EMSP,
        tokenUid: 'VIE-CARD-1',
        tokenType: 'RFID',
        authMethod: 'WHITELIST',
        locationId: 'SEC-LOC',
        evseUid: 'SEC-E1',
        connectorId: '1',
        startDateTime: NOW,
      }),
    );
    victimCpo.behaviour.commandResult = undefined;
    // The dispatcher learns of new partners from Kafka events: until it knows the victim CPO, a
    // command is reported not delivered. Ask again until one reaches it.
    const deadline = Date.now() + 90_000;
    while (victimCpo.state.commands.length === 0) {
      assert.ok(Date.now() < deadline, 'our command reaches the victim CPO within 90 s');
      const started = await rpc<commandService.StartSessionRequest, commandService.StartSessionResponse>(commandsApi.startSession.bind(commandsApi), {
        token: { party: OUR_EMSP, uid: 'VLM-SEC-1', type: 'RFID' },
        cpo: VICTIM_CPO,
        locationId: 'VIC-LOC',
        evseUid: 'VIC-E1',
        connectorId: '',
      });
      ourCommandId = started.command!.id;
      await eventually(
        async () => (await rpc<commandService.GetCommandRequest, commandService.GetCommandResponse>(commandsApi.getCommand.bind(commandsApi), { id: ourCommandId })).command?.state,
        (state) => victimCpo.state.commands.length > 0 || state !== started.command!.state,
        'our command delivered, or reported not delivered',
        30_000,
        200,
      );
    }
  });

  after(async () => {
    sessionsApi?.close();
    commandsApi?.close();
    await Promise.all([attackerCpo, victimCpo, attackerEmsp, victimEmsp].map((partner) => partner?.close()));
    // A mesh that failed to start is stopped too (its processes' pid files are in its folder).
    await (mesh ? mesh.stop() : stopMesh(join(testInfra().stateDir, 'security-matrix')));
  });

  test('every combination on another party’s object is refused, the caller’s own passes, and no victim object changes', async () => {
    const before = await eventually(snapshot, (seen) => seen.commandKnown && seen.cdr.status === 200, 'the victims’ objects readable');
    const all = cases();
    const failures: string[] = [];
    let refused = 0;
    let passed = 0;
    const started = Date.now();
    // A few at a time: the matrix is hundreds of requests, each answered in milliseconds.
    const queue = [...all];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const c = next;
        const [attacker, victim] = c.attack.caller === 'cpo' ? [ATTACKER_CPO, VICTIM_CPO] : [ATTACKER_EMSP, VICTIM_EMSP];
        const request = c.attack.build(c.url === 'attacker' ? attacker : victim, c.body === 'attacker' ? attacker : victim);
        const result = await as(c.attack.caller === 'cpo' ? attackerCpo : attackerEmsp, request.method, request.path, request.body, headersOf(c));
        const status = statusOf(result);
        const label = `${c.attack.route} url=${c.url} body=${c.body} from=${c.from} to=${c.to}: HTTP ${result.status} ${JSON.stringify(result.body).slice(0, 200)}`;
        const isRefusal = result.status === 404 || (status !== undefined && status >= 2000 && status < 3000) || (status === 1000 && (c.attack.refusedInData?.((result.body as Envelope).data) ?? false));
        if (result.status >= 500 || status === undefined) failures.push(`not an OCPI refusal: ${label}`);
        else if (allOwn(c) && c.attack.ownAllowed !== 'never') {
          passed += 1;
          if (c.attack.ownAllowed === 'accepted' && status !== 1000) failures.push(`the caller's own object was refused: ${label}`);
        } else if (isRefusal) refused += 1;
        else failures.push(`accepted: ${label}`);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    console.log(`authorization matrix: ${all.length} requests over ${attacks().length} routes in ${Date.now() - started} ms: ${refused} refused, ${passed} own-party controls`);
    assert.deepEqual(failures, [], `refusals the matrix expected:\n${failures.join('\n')}`);
    assert.ok(refused > 500, `hundreds of refused combinations (${refused})`);

    // The caller's own writes went through Kafka: once they show, every write before them has too.
    await eventually(() => as(attackerCpo, 'GET', '/ocpi/2.2.1/emsp/sessions/BE/ATK/VIC-SESSION'), (result) => statusOf(result) === 1000, "the attacker's own session write applied");
    await eventually(() => as(attackerEmsp, 'GET', '/ocpi/2.2.1/cpo/tokens/DE/ATE/VIE-CARD-1'), (result) => statusOf(result) === 1000, "the attacker's own token write applied");
    const afterwards = await snapshot();
    assert.deepEqual(afterwards, before, 'no victim object changed');
    assert.equal(victimCpo.state.commands.length, 1, 'no command reached the victim CPO but ours');
  });
});
