import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { parseNextLink, type Location } from '@voltmesh/ocpi';
import { billingService, cdrs, commands, commandService, locationService, sessionService, sessions, tariffService, tokenService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import { aConnector, aLocation, aPriceComponent, aTariff, aTariffElement, aToken, anEvse, repoRoot, startSimPartner, type SimPartner } from '@voltmesh/testing';
import { startCsmsSimulator, type CsmsSimulator } from '../../scripts/demo/csms.js';
import { connectPartner, eventually, http, startTestMesh, type Envelope, type RunningMesh } from './mesh-fixture.js';

/**
 * The same end-to-end scenarios as the 2.2.1 files (handshake, locations, tokens-commands,
 * sessions-cdrs), with simulated partners that speak OCPI 2.1.1 only: one CPO that registers
 * with us from an invitation naming its role, one eMSP we register with from the admin API.
 */

const fixtures = join(repoRoot(), 'libs', 'ocpi', 'fixtures', '2.1.1');
const fixture = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Record<string, unknown>;

const OUR_EMSP = { countryCode: 'NL', partyId: 'VLM' };
const OUR_CPO = { countryCode: 'NL', partyId: 'VLT' };
const THEIR_CPO = { countryCode: 'BE', partyId: 'BEC' };
/** Money in ten-thousandths, so expected totals are computed exactly. */
const units = (value: number): bigint => BigInt(Math.round(value * 10_000));

/** A 2.1.1 Token (mod_tokens.md §3.2): no owner fields, the contract is `auth_id`. */
const aToken211 = (uid: string, authId: string, whitelist = 'ALLOWED') => ({ uid, type: 'RFID', auth_id: authId, issuer: 'Sim eMSP', valid: true, whitelist, last_updated: new Date().toISOString() });

/** A 2.1.1 Location (no country_code/party_id/publish, `type`, connector voltage/amperage and one tariff_id). */
const aLocation211 = (id: string, evses: { uid: string; evse_id: string }[] = [{ uid: `${id}-E1`, evse_id: `BE*BEC*E${id}` }], lastUpdated = '2026-06-01T00:00:00Z') => ({
  id,
  type: 'PARKING_LOT',
  address: 'Kouter 1',
  city: 'Gent',
  postal_code: '9000',
  country: 'BEL',
  coordinates: { latitude: '51.047599', longitude: '3.729944' },
  evses: evses.map((evse) => ({
    ...evse,
    status: 'AVAILABLE',
    connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', voltage: 230, amperage: 16, tariff_id: 'BE-T1', last_updated: lastUpdated }],
    last_updated: lastUpdated,
  })),
  last_updated: lastUpdated,
});

/** The fields a 2.2.1 Location has and a 2.1.1 one must not. */
const ONLY_221_LOCATION_FIELDS = ['country_code', 'party_id', 'publish', 'publish_allowed_to', 'parking_type'];

describe('OCPI 2.1.1 partners end to end: handshake, locations, tokens, commands, sessions and CDRs, in both roles', () => {
  let mesh: RunningMesh;
  let base: string;
  /** A 2.1.1 CPO that registered with us from an invitation naming its role. */
  let cpo: SimPartner;
  /** A 2.1.1 eMSP we registered with from the admin API. */
  let emsp: SimPartner;
  let emspTokenA: string;
  let emspConnection: { status: number; body: unknown };
  let csms: CsmsSimulator;
  let locationsApi: locationService.LocationServiceClient;
  let tokensApi: tokenService.TokenServiceClient;
  let commandsApi: commandService.CommandServiceClient;
  let sessionsApi: sessionService.SessionServiceClient;
  let billingApi: billingService.BillingServiceClient;
  const others: SimPartner[] = [];

  const admin = (method: string, path: string, body?: unknown) => http(method, `${mesh.adminUrl}${path}`, { authorization: `Bearer ${mesh.adminToken}`, ...(body !== undefined ? { body } : {}) });
  const rpc = <Req, Res>(method: (request: Req, metadata: never, options: never, callback: never) => unknown, request: Req) => callUnary<Req, Res>(method as never, request, 10_000);
  const statusOf = (result: { body: unknown }) => (result.body as Envelope).status_code;
  const messageOf = (result: { body: unknown }) => (result.body as Envelope).status_message ?? '';
  const dataOf = <T>(result: { body: unknown }) => (result.body as Envelope<T>).data;
  const asCpo = (method: string, url: string, body?: unknown) => cpo.callPeer(method, url, body);
  /** The eMSP calls us with the token we gave it when we registered with it. */
  const asEmsp = (method: string, url: string, body?: unknown) => emsp.callPeer(method, url, body, emsp.state.registeredPeer!.token);
  const emspEndpoint = (identifier: string) => {
    const endpoint = emsp.state.registeredPeer?.endpoints.find((candidate) => candidate.identifier === identifier);
    assert.ok(endpoint, `we listed a ${identifier} endpoint to the eMSP`);
    return endpoint.url;
  };
  type ListedConnection = { id: string; state: string; version?: string; auth_mode: string; role_211?: string; time_zone_211?: string; roles: { role: string; country_code: string; party_id: string }[] };
  const connections = async () => ((await admin('GET', '/admin/connections')).body as { connections: ListedConnection[] }).connections;
  const connectionOf = async (partyId: string) => (await connections()).find((connection) => connection.state === 'REGISTERED' && connection.roles.some((role) => role.party_id === partyId));
  const issue = (token: ReturnType<typeof aToken>) =>
    rpc<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(tokensApi.issueToken.bind(tokensApi), tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(token) }));
  const upsertOwn = (location: Location) =>
    rpc<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(locationsApi.upsertLocation.bind(locationsApi), { ocpiJson: JSON.stringify(location) });
  const partnerLocation = (id: string) =>
    rpc<locationService.GetLocationRequest, locationService.GetLocationResponse>(locationsApi.getLocation.bind(locationsApi), { party: THEIR_CPO, id }).then(
      (answer) => (answer.location ? (JSON.parse(answer.location.ocpiJson) as Location) : undefined),
      () => undefined,
    );
  const getSession = (role: sessions.SessionRole, party: { countryCode: string; partyId: string }, sessionId: string) =>
    rpc<sessionService.GetSessionRequest, sessionService.GetSessionResponse>(sessionsApi.getSession.bind(sessionsApi), { role, cpo: party, sessionId }).then(
      (answer) => answer.session,
      () => undefined,
    );
  const listCdrs = async (role: cdrs.CdrRole) =>
    (await rpc<billingService.ListCdrsRequest, billingService.ListCdrsResponse>(billingApi.listCdrs.bind(billingApi), billingService.ListCdrsRequest.fromPartial({ role, page: { limit: 100 } }))).cdrs;
  const getCommand = async (id: string) => (await rpc<commandService.GetCommandRequest, commandService.GetCommandResponse>(commandsApi.getCommand.bind(commandsApi), { id })).command!;
  /** `Token <raw>` with a token the sim issued: 2.1.1 sends tokens as they are, never Base64. */
  const isRawIssuedToken = (partner: SimPartner, authorization: string | undefined) => {
    const raw = /^Token (\S+)$/.exec(authorization ?? '')?.[1];
    return raw !== undefined && partner.state.issuedTokens.includes(raw);
  };

  before(async () => {
    mesh = await startTestMesh('ocpi-211', { CREDENTIALS_ROTATION_GRACE_MS: '0', PULL_POLL_MS: '300', COMMAND_TIMEOUT_S: '5', SWEEP_INTERVAL_MS: '200' });
    base = mesh.versionsUrl.replace(/\/ocpi\/versions$/, '');
    const address = (name: keyof RunningMesh['grpcPorts']) => `127.0.0.1:${mesh.grpcPorts[name]}`;
    locationsApi = new locationService.LocationServiceClient(address('locations'), credentials.createInsecure());
    tokensApi = new tokenService.TokenServiceClient(address('authorization'), credentials.createInsecure());
    commandsApi = new commandService.CommandServiceClient(address('sessions'), credentials.createInsecure());
    sessionsApi = new sessionService.SessionServiceClient(address('sessions'), credentials.createInsecure());
    billingApi = new billingService.BillingServiceClient(address('billing'), credentials.createInsecure());

    // Our CPO's charger, priced at €0.30/kWh per Wh, where the 2.1.1 eMSP's driver charges.
    const tariffsApi = new tariffService.TariffServiceClient(address('tariffs'), credentials.createInsecure());
    const tariff = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'E2E-KWH', elements: [aTariffElement({ price_components: [aPriceComponent({ price: 0.3, vat: 21, step_size: 1 })] })], last_updated: new Date().toISOString() });
    await rpc<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(tariffsApi.upsertTariff.bind(tariffsApi), { ocpiJson: JSON.stringify(tariff) });
    tariffsApi.close();
    await upsertOwn(
      aLocation({
        ...{ country_code: 'NL', party_id: 'VLT' },
        id: 'SES-LOC',
        time_zone: 'Europe/Amsterdam',
        evses: [anEvse({ uid: 'SES-E1', evse_id: 'NL*VLT*ESES1', connectors: [aConnector({ tariff_ids: ['E2E-KWH'] })] })],
        last_updated: new Date().toISOString(),
      }),
    );

    cpo = await startSimPartner({ ...THEIR_CPO, role: 'CPO', version: '2.1.1' });
    // Published before it connects: our eMSP pulls the CPO's locations (2.1.1, no time_zone) on connect.
    cpo.published['locations'] = [aLocation211('PULL211-A'), aLocation211('PULL211-B')];
    await connectPartner(mesh, cpo, { role_211: 'CPO', time_zone_211: 'Europe/Brussels' });

    emsp = await startSimPartner({ countryCode: 'DE', partyId: 'EMS', role: 'EMSP', version: '2.1.1' });
    // Pulled by our CPO on connect: the token its driver starts sessions with.
    emsp.published['tokens'] = [aToken211('EMS-DRIVER', 'DE-EMS-C00000042-X')];
    emspTokenA = emsp.issueTokenA();
    // Token A goes raw: a 2.1.1 party reads tokens as they are, and our versions call precedes any version choice.
    // No auth_mode: our first versions call goes Base64, the 2.1.1 partner answers 401, we try it raw once.
    emspConnection = await admin('POST', '/admin/connections', { versions_url: emsp.versionsUrl, token_a: emspTokenA, role_211: 'EMSP', label: 'DE 2.1.1 eMSP' });
    assert.equal(emspConnection.status, 201, JSON.stringify(emspConnection.body));

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
    for (const client of [locationsApi, tokensApi, commandsApi, sessionsApi, billingApi]) client?.close();
    await Promise.all([cpo, emsp, ...others].map((partner) => partner?.close()));
    await mesh?.stop();
  });

  const sim = async (options: Parameters<typeof startSimPartner>[0]) => {
    const partner = await startSimPartner(options);
    others.push(partner);
    return partner;
  };
  const invite = async (body: Record<string, unknown>) => {
    const invitation = await admin('POST', '/admin/invitations', { label: '2.1.1 partner', ...body });
    assert.equal(invitation.status, 201, JSON.stringify(invitation.body));
    return invitation.body as { token_a: string; versions_url: string; connection_id: string };
  };

  describe('handshake', () => {
    test('a 2.1.1 CPO registers with us from an invitation naming its role: flat credentials with our eMSP party, raw tokens, stored as 2.1.1', async () => {
      const ours = cpo.state.peerCredentials as Record<string, unknown> | undefined;
      assert.ok(ours, 'the CPO holds our credentials');
      assert.equal(ours['party_id'], 'VLM', 'a CPO deals with our eMSP party');
      assert.equal(ours['country_code'], 'NL');
      assert.equal(ours['url'], mesh.versionsUrl);
      assert.equal(typeof (ours['business_details'] as { name?: unknown } | undefined)?.name, 'string', 'business_details.name');
      assert.ok(!('roles' in ours), '2.1.1 credentials carry no roles');

      // What it was shown: our eMSP side, one URL per module, no role, nothing 2.1.1 lacks.
      const endpoints = cpo.state.peerEndpoints;
      assert.ok(endpoints.every((endpoint) => endpoint.role === undefined), 'no role on 2.1.1 endpoints');
      assert.deepEqual(endpoints.find((endpoint) => endpoint.identifier === 'credentials')?.url, `${base}/ocpi/2.1.1/credentials/`);
      for (const module of ['locations', 'tariffs', 'sessions', 'cdrs', 'tokens', 'commands']) {
        assert.equal(cpo.peerEndpoint(module, 'RECEIVER'), `${base}/ocpi/2.1.1/emsp/${module}/`, module);
      }
      assert.ok(!endpoints.some((endpoint) => ['chargingprofiles', 'hubclientinfo'].includes(endpoint.identifier)), 'no 2.2-only modules');

      // Every call we made to it: its token raw, as 2.1.1 sends tokens (never Base64).
      const ourCalls = cpo.state.requests.filter((request) => request.url.startsWith('/ocpi/'));
      assert.ok(ourCalls.length >= 2, 'we read its versions and details');
      for (const call of ourCalls) assert.ok(isRawIssuedToken(cpo, call.authorization), `raw token on ${call.method} ${call.url}: ${call.authorization}`);

      const stored = await connectionOf('BEC');
      assert.equal(stored?.version, '2.1.1');
      assert.equal(stored?.auth_mode, 'plain');
      assert.equal(stored?.role_211, 'CPO');
      assert.equal(stored?.time_zone_211, 'Europe/Brussels');
      assert.deepEqual(stored?.roles.map((role) => `${role.role}:${role.country_code}*${role.party_id}`), ['CPO:BE*BEC']);
    });

    test('we register with a 2.1.1 eMSP from the admin API: our CPO party in flat credentials, its token raw, stored as 2.1.1', async () => {
      const created = emspConnection.body as ListedConnection;
      assert.equal(created.state, 'REGISTERED');
      assert.equal(created.version, '2.1.1');
      assert.equal(created.auth_mode, 'plain');
      assert.equal(created.role_211, 'EMSP');
      assert.deepEqual(created.roles.map((role) => `${role.role}:${role.country_code}*${role.party_id}`), ['EMSP:DE*EMS']);
      assert.equal((await connectionOf('EMS'))?.version, '2.1.1', 'listed by GET /admin/connections as 2.1.1');

      const sent = emsp.state.registeredPeer?.credentials as Record<string, unknown> | undefined;
      assert.ok(sent, 'the eMSP got our credentials');
      assert.equal(sent['party_id'], 'VLT', 'an eMSP deals with our CPO party');
      assert.equal(sent['country_code'], 'NL');
      assert.equal(sent['url'], mesh.versionsUrl);
      assert.ok(!('roles' in sent), '2.1.1 credentials carry no roles');
      const handshake = emsp.state.requests.filter((request) => request.url.startsWith('/ocpi/'));
      const posted = handshake.find((request) => request.method === 'POST' && /^\/ocpi\/2\.1\.1\/credentials\/?$/.test(request.url));
      assert.equal(posted?.authorization, `Token ${emspTokenA}`, 'our 2.1.1 credentials POSTed with token A raw, not Base64');
      const versionCalls = handshake.filter((request) => request.method === 'GET' && request.url === '/ocpi/versions').map((request) => request.authorization);
      assert.deepEqual(versionCalls, [`Token ${Buffer.from(emspTokenA).toString('base64')}`, `Token ${emspTokenA}`], 'versions asked Base64 first (the default), then raw after its 401');

      // The token we gave it opens our 2.1.1 details: our CPO side for an eMSP.
      const details = await asEmsp('GET', `${base}/ocpi/2.1.1`);
      assert.equal(details.httpStatus, 200, JSON.stringify(details.body));
      const listed = dataOf<{ version: string; endpoints: { identifier: string; url: string; role?: string }[] }>(details)!;
      assert.equal(listed.version, '2.1.1');
      assert.deepEqual(
        listed.endpoints.map((endpoint) => endpoint.url).sort(),
        [`${base}/ocpi/2.1.1/credentials/`, ...['cdrs', 'commands', 'locations', 'sessions', 'tariffs', 'tokens'].map((module) => `${base}/ocpi/2.1.1/cpo/${module}/`)].sort(),
      );
      assert.ok(listed.endpoints.every((endpoint) => endpoint.role === undefined), 'no role on 2.1.1 endpoints');
    });

    test('a 2.1.1 partner whose invitation names no role is refused, saying why, and stays pending', async () => {
      const partner = await sim({ countryCode: 'FR', partyId: 'NOR', role: 'CPO', version: '2.1.1' });
      const invitation = await invite({});
      await assert.rejects(partner.registerWith(invitation.versions_url, invitation.token_a), /details answered HTTP 404/);
      const details = await http('GET', `${base}/ocpi/2.1.1`, { authorization: `Token ${invitation.token_a}` });
      assert.equal(details.status, 404);
      assert.equal((details.body as Envelope).status_code, 2000);
      assert.match((details.body as Envelope).status_message ?? '', /invitation naming your role, CPO or EMSP/);
      const post = await partner.callPeer('POST', `${base}/ocpi/2.1.1/credentials`, { token: partner.issueTokenA(), url: partner.versionsUrl, business_details: { name: 'x' }, party_id: 'NOR', country_code: 'FR' }, invitation.token_a);
      assert.equal(post.httpStatus, 404);
      assert.match(messageOf(post), /invitation naming your role/);
      assert.equal((await connections()).find((connection) => connection.id === invitation.connection_id)?.state, 'PENDING', 'nothing registered');
    });

    test('a 2.1.1 eMSP reads, rotates (PUT) and deletes its 2.1.1 credentials', async () => {
      const partner = await sim({ countryCode: 'FR', partyId: 'ROT', role: 'EMSP', version: '2.1.1' });
      const invitation = await invite({ role_211: 'EMSP' });
      const registered = await partner.registerWith(invitation.versions_url, invitation.token_a);
      assert.equal(statusOf(registered), 1000, JSON.stringify(registered.body));
      // Our details differ by the caller's role: this eMSP sees our CPO side, the CPO our eMSP side.
      assert.equal(partner.peerEndpoint('locations', 'SENDER'), `${base}/ocpi/2.1.1/cpo/locations/`);
      assert.notEqual(partner.peerEndpoint('locations', 'SENDER'), cpo.peerEndpoint('locations', 'RECEIVER'));
      const tokenC = partner.state.peerToken!;

      const read = await partner.getCredentials();
      assert.equal(read.httpStatus, 200, JSON.stringify(read.body));
      const flat = dataOf<Record<string, unknown>>(read)!;
      assert.deepEqual([flat['token'], flat['party_id'], flat['country_code'], 'roles' in flat], [tokenC, 'VLT', 'NL', false]);

      const rotated = await partner.updateCredentials();
      assert.equal(statusOf(rotated), 1000, JSON.stringify(rotated.body));
      const newC = partner.state.peerToken;
      assert.ok(newC && newC !== tokenC, 'a new token C');
      assert.equal(dataOf<{ party_id: string }>(rotated)?.party_id, 'VLT', 'the PUT is answered with flat credentials');
      assert.equal((await http('GET', mesh.versionsUrl, { authorization: `Token ${tokenC}` })).status, 401, 'the old token is dead');
      assert.equal((await http('GET', mesh.versionsUrl, { authorization: `Token ${newC}` })).status, 200);
      const id = invitation.connection_id;
      assert.equal((await connections()).find((connection) => connection.id === id)?.version, '2.1.1', 'still 2.1.1 after the PUT');

      const gone = await partner.unregister();
      assert.equal(statusOf(gone), 1000, JSON.stringify(gone.body));
      assert.equal((await http('GET', mesh.versionsUrl, { authorization: `Token ${newC}` })).status, 401);
      assert.equal((await connections()).find((connection) => connection.id === id)?.state, 'UNREGISTERED');
    });
  });

  describe('locations', () => {
    test("the 2.1.1 CPO's Sender locations are pulled on connect, owned by its party, in the configured time zone", async () => {
      const pulled = await eventually(() => Promise.all(['PULL211-A', 'PULL211-B'].map(partnerLocation)), (found) => found.every(Boolean), 'the pulled locations');
      for (const location of pulled) {
        assert.deepEqual([location?.country_code, location?.party_id, location?.time_zone, location?.parking_type], ['BE', 'BEC', 'Europe/Brussels', 'PARKING_LOT']);
        assert.equal(location?.evses[0]?.connectors[0]?.max_voltage, 230, 'voltage read as max_voltage');
        assert.deepEqual(location?.evses[0]?.connectors[0]?.tariff_ids, ['BE-T1']);
      }
      const pulls = cpo.state.requests.filter((request) => request.method === 'GET' && request.url.startsWith('/ocpi/2.1.1/locations'));
      assert.ok(pulls.length > 0, 'we paged its 2.1.1 locations Sender');
      assert.ok(pulls.every((request) => isRawIssuedToken(cpo, request.authorization)), 'its token raw');
    });

    test('the 2.1.1 CPO PUTs the 2.1.1 example Location and PATCHes an EVSE status: stored, read back in 2.1.1 and over gRPC in 2.2.1', async () => {
      const url = `${cpo.peerEndpoint('locations', 'RECEIVER')}BE/BEC/LOC1`;
      const put = await asCpo('PUT', url, fixture('locations_example.json'));
      assert.equal(put.httpStatus, 200, JSON.stringify(put.body));
      assert.equal(statusOf(put), 1000, JSON.stringify(put.body));
      const stored = await eventually(() => asCpo('GET', url), (result) => statusOf(result) === 1000, 'the location readable');
      const location = dataOf<Record<string, unknown> & { evses: { uid: string; connectors: Record<string, unknown>[] }[] }>(stored)!;
      assert.equal(location['type'], 'ON_STREET');
      for (const field of ONLY_221_LOCATION_FIELDS) assert.ok(!(field in location), `no ${field} in 2.1.1`);
      assert.deepEqual(location.evses.map((evse) => evse.uid), ['3256', '3257']);
      assert.deepEqual([location.evses[0]!.connectors[0]!['voltage'], location.evses[0]!.connectors[0]!['amperage'], location.evses[0]!.connectors[0]!['tariff_id']], [220, 16, '11']);

      const model = await partnerLocation('LOC1');
      assert.deepEqual([model?.country_code, model?.party_id, model?.time_zone, model?.parking_type, model?.publish], ['BE', 'BEC', 'Europe/Brussels', 'ON_STREET', true]);
      assert.deepEqual(model?.evses[0]?.connectors[0]?.tariff_ids, ['11']);

      const patch = await asCpo('PATCH', `${url}/3256`, fixture('locations_patch_example_status.json'));
      assert.equal(statusOf(patch), 1000, JSON.stringify(patch.body));
      const evse = await eventually(() => asCpo('GET', `${url}/3256`), (result) => dataOf<{ status: string }>(result)?.status === 'CHARGING', 'the EVSE status to change');
      assert.equal(dataOf<{ uid: string }>(evse)?.uid, '3256');
      const whole = await partnerLocation('LOC1');
      assert.deepEqual(whole?.evses.map((item) => `${item.uid}:${item.status}`), ['3256:CHARGING', '3257:RESERVED'], 'the EVSE the patch did not name is untouched');

      // Another party's URL and a 2.2.1 body are refused; 2.1.1 answers carry 2.1.1 codes.
      assert.equal((await asCpo('PUT', `${cpo.peerEndpoint('locations', 'RECEIVER')}NL/VLT/LOC1`, fixture('locations_example.json'))).httpStatus, 404);
      const v221 = await asCpo('PUT', `${cpo.peerEndpoint('locations', 'RECEIVER')}BE/BEC/LOC7`, aLocation({ ...{ country_code: 'BE', party_id: 'BEC' }, id: 'LOC7' }));
      assert.equal(statusOf(v221), 2001, 'a 2.2.1 Location is no 2.1.1 Location');
      assert.match(messageOf(v221), /type/);
    });

    test('the 2.1.1 eMSP pages our locations in 2.1.1 shape with Link and X-Total-Count', async () => {
      for (let index = 0; index < 5; index += 1) {
        await upsertOwn(aLocation({ ...{ country_code: 'NL', party_id: 'VLT' }, id: `OWN211-${index}`, parking_type: 'ON_STREET', evses: [anEvse({ uid: `E${index}` })], last_updated: `2020-05-0${index + 1}T00:00:00.000Z` }));
      }
      const seen: Record<string, unknown>[] = [];
      let next: string | undefined = `${emspEndpoint('locations')}?limit=2&date_from=2020-05-02T00:00:00Z&date_to=2020-06-01T00:00:00Z`;
      let pages = 0;
      while (next) {
        const page = await asEmsp('GET', next);
        assert.equal(page.httpStatus, 200, JSON.stringify(page.body));
        assert.equal(page.headers['x-total-count'], '4', 'date_from leaves one out');
        seen.push(...(dataOf<Record<string, unknown>[]>(page) ?? []));
        next = parseNextLink(page.headers['link']);
        pages += 1;
      }
      assert.equal(pages, 2);
      assert.deepEqual(seen.map((location) => location['id']), ['OWN211-1', 'OWN211-2', 'OWN211-3', 'OWN211-4']);
      const [first] = seen;
      for (const field of ONLY_221_LOCATION_FIELDS) assert.ok(!(field in first!), `no ${field} in 2.1.1`);
      assert.equal(first!['type'], 'ON_STREET');
      const connector = (first!['evses'] as { connectors: Record<string, unknown>[] }[])[0]!.connectors[0]!;
      assert.deepEqual([connector['voltage'], connector['amperage'], 'max_voltage' in connector, 'tariff_ids' in connector], [230, 32, false, false]);

      const one = await asEmsp('GET', `${emspEndpoint('locations')}OWN211-3/E3`);
      assert.equal(dataOf<{ uid: string }>(one)?.uid, 'E3');
      const missing = await asEmsp('GET', `${emspEndpoint('locations')}NOPE`);
      assert.equal(statusOf(missing), 2003);
    });

    test('our location change and status change reach the 2.1.1 eMSP in 2.1.1 shape, without routing headers', async () => {
      await upsertOwn(aLocation({ ...{ country_code: 'NL', party_id: 'VLT' }, id: 'PUSHED211', parking_type: 'ON_STREET', evses: [anEvse({ uid: 'P1' })], last_updated: '2026-07-01T00:00:00.000Z' }));
      const received = (method: string, path: string) => emsp.state.received.filter((push) => push.method === method && push.path === path);
      const [put] = await eventually(() => received('PUT', '/ocpi/2.1.1/locations/NL/VLT/PUSHED211'), (pushes) => pushes.length > 0, 'the PUT of our location');
      const body = put!.body as Record<string, unknown> & { evses: { uid: string; connectors: Record<string, unknown>[] }[] };
      for (const field of ONLY_221_LOCATION_FIELDS) assert.ok(!(field in body), `no ${field} in the 2.1.1 push`);
      assert.equal(body['type'], 'ON_STREET');
      assert.deepEqual([body.evses[0]?.uid, body.evses[0]?.connectors[0]?.['voltage']], ['P1', 230]);
      for (const header of ['ocpi-from-country-code', 'ocpi-from-party-id', 'ocpi-to-country-code', 'ocpi-to-party-id']) assert.equal(put!.headers[header], '', `no ${header} in 2.1.1`);
      assert.ok(isRawIssuedToken(emsp, put!.headers['authorization']), `its token raw: ${put!.headers['authorization']}`);

      await rpc<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(locationsApi.reportEvseStatus.bind(locationsApi), {
        party: OUR_CPO,
        locationId: 'PUSHED211',
        evseUid: 'P1',
        status: 'CHARGING',
        at: '2026-07-01T00:00:05.000Z',
      });
      const [patch] = await eventually(() => received('PATCH', '/ocpi/2.1.1/locations/NL/VLT/PUSHED211/P1'), (pushes) => pushes.length > 0, 'the EVSE status PATCH');
      assert.deepEqual(patch!.body, { status: 'CHARGING', last_updated: '2026-07-01T00:00:05.000Z' });
      assert.equal(patch!.headers['ocpi-to-party-id'], '', 'no routing headers');
      assert.equal(cpo.state.received.filter((push) => push.path.includes('/locations/')).length, 0, 'the CPO (no locations Receiver) gets none');
    });
  });

  describe('tokens', () => {
    test('our eMSP: our token is pushed to the 2.1.1 CPO (auth_id, no ?type) and authorized in real time at our 2.1.1 tokens endpoint', async () => {
      await issue(aToken({ ...{ country_code: 'NL', party_id: 'VLM' }, uid: 'VLM-0211', contract_id: 'NL-VLM-C00000211-X', whitelist: 'ALLOWED', last_updated: new Date().toISOString() }));
      const pushes = () => cpo.state.received.filter((push) => push.method === 'PUT' && push.path.startsWith('/ocpi/2.1.1/tokens/NL/VLM/VLM-0211'));
      const [pushed] = await eventually(pushes, (seen) => seen.length > 0, 'the token PUT at the 2.1.1 CPO');
      assert.equal(pushed!.path, '/ocpi/2.1.1/tokens/NL/VLM/VLM-0211', 'no ?type in 2.1.1');
      const token = pushed!.body as Record<string, unknown>;
      assert.deepEqual([token['uid'], token['type'], token['auth_id'], token['whitelist'], token['valid']], ['VLM-0211', 'RFID', 'NL-VLM-C00000211-X', 'ALLOWED', true]);
      for (const field of ['country_code', 'party_id', 'contract_id']) assert.ok(!(field in token), `no ${field} in a 2.1.1 Token`);
      assert.equal(pushed!.headers['ocpi-to-party-id'], '', 'no routing headers');
      assert.ok(isRawIssuedToken(cpo, pushed!.headers['authorization']), 'its token raw');

      const tokensUrl = cpo.peerEndpoint('tokens', 'SENDER');
      const allowed = await asCpo('POST', `${tokensUrl}VLM-0211/authorize`, { location_id: 'LOC1', evse_uids: ['3256'] });
      assert.equal(statusOf(allowed), 1000, JSON.stringify(allowed.body));
      const info = dataOf<Record<string, unknown>>(allowed)!;
      assert.equal(info['allowed'], 'ALLOWED');
      const references = info['location'] as { location_id: string; evse_uids: string[] } | undefined;
      assert.deepEqual([references?.location_id, references?.evse_uids], ['LOC1', ['3256']], '2.1.1 LocationReferences echoed');
      assert.ok(!('token' in info) && !('authorization_reference' in info), '2.1.1 AuthorizationInfo: no token, no reference');

      await rpc<tokenService.BlockTokenRequest, tokenService.BlockTokenResponse>(tokensApi.blockToken.bind(tokensApi), { token: { party: OUR_EMSP, uid: 'VLM-0211', type: 'RFID' } });
      await eventually(pushes, (seen) => seen.some((push) => (push.body as { valid: boolean }).valid === false), 'the blocked token pushed');
      assert.equal(dataOf<{ allowed: string }>(await asCpo('POST', `${tokensUrl}VLM-0211/authorize`))?.allowed, 'BLOCKED');

      const unknown = await asCpo('POST', `${tokensUrl}NOBODY/authorize`);
      assert.equal(unknown.httpStatus, 404);
      assert.equal(statusOf(unknown), 2000, '2.1.1 has no 2004');
      assert.equal((await asEmsp('POST', `${base}/ocpi/2.1.1/emsp/tokens/VLM-0211/authorize`)).httpStatus, 404, 'an eMSP may not probe our tokens');
    });

    test('our CPO: tokens the 2.1.1 eMSP pushed or we pulled are authorized in real time by the eMSP, in 2.1.1', async () => {
      const pushed = aToken211('EMS-PUSHED', 'DE-EMS-C00000043-X');
      emsp.published['tokens'] = [...(emsp.published['tokens'] ?? []), pushed];
      // PUT, then at once a 2.1.1 PATCH (no type in its URL, no last_updated): the PATCH finds the token just PUT.
      const put = await asEmsp('PUT', `${emspEndpoint('tokens')}DE/EMS/EMS-PUSHED`, { ...pushed, whitelist: 'ALWAYS' });
      assert.equal(statusOf(put), 1000, JSON.stringify(put.body));
      const patch = await asEmsp('PATCH', `${emspEndpoint('tokens')}DE/EMS/EMS-PUSHED`, { whitelist: 'ALLOWED' });
      assert.equal(statusOf(patch), 1000, JSON.stringify(patch.body));
      const readBack = await eventually(() => asEmsp('GET', `${emspEndpoint('tokens')}DE/EMS/EMS-PUSHED`), (result) => dataOf<{ whitelist: string }>(result)?.whitelist === 'ALLOWED', 'the patched token read back');
      assert.equal(dataOf<{ auth_id: string }>(readBack)?.auth_id, 'DE-EMS-C00000043-X');
      const unknownPatch = await asEmsp('PATCH', `${emspEndpoint('tokens')}DE/EMS/NEVER-PUT`, { valid: false });
      assert.deepEqual([unknownPatch.httpStatus, statusOf(unknownPatch)], [404, 2000], 'an unknown token: 404 with 2000 (2.1.1 has no 2004)');

      const authorize = (uid: string) =>
        rpc<tokenService.AuthorizeRequest, tokenService.AuthorizeResponse>(
          tokensApi.authorize.bind(tokensApi),
          tokenService.AuthorizeRequest.fromPartial({ uid, type: 'RFID', cpo: OUR_CPO, locationId: 'SES-LOC', evseUids: ['SES-E1'] }),
        );
      for (const uid of ['EMS-PUSHED', 'EMS-DRIVER']) {
        const answer = await eventually(() => authorize(uid), (reply) => reply.decidedBy === tokenService.DecidedBy.DECIDED_BY_EMSP, `the eMSP to decide on ${uid}`);
        assert.equal(answer.allowed, 'ALLOWED', uid);
        const asked = emsp.state.authorizeRequests.filter((request) => request.uid === uid).at(-1);
        const references = asked?.body as { location_id: string; evse_uids: string[]; connector_ids?: string[] } | undefined;
        assert.deepEqual([references?.location_id, references?.evse_uids, references?.connector_ids ?? []], ['SES-LOC', ['SES-E1'], []], `2.1.1 LocationReferences for ${uid}`);
      }
      const call = emsp.state.requests.filter((request) => request.url.startsWith('/ocpi/2.1.1/tokens/EMS-PUSHED/authorize')).at(-1);
      assert.ok(isRawIssuedToken(emsp, call?.authorization), `its token raw: ${call?.authorization}`);

      emsp.behaviour.authorizeAllowed = 'NO_CREDIT';
      const refused = await authorize('EMS-PUSHED');
      emsp.behaviour.authorizeAllowed = 'ALLOWED';
      assert.deepEqual([refused.allowed, refused.decidedBy], ['NO_CREDIT', tokenService.DecidedBy.DECIDED_BY_EMSP], "the eMSP's 2.1.1 answer is the decision");
    });
  });

  describe('commands', () => {
    test('our eMSP: the driver starts a session at the 2.1.1 CPO; its {result} callback completes the command', async () => {
      await issue(aToken({ ...{ country_code: 'NL', party_id: 'VLM' }, uid: 'VLM-DRIVER', contract_id: 'NL-VLM-C00000002-X', whitelist: 'ALLOWED', last_updated: new Date().toISOString() }));
      const reply = await rpc<commandService.StartSessionRequest, commandService.StartSessionResponse>(commandsApi.startSession.bind(commandsApi), {
        token: { party: OUR_EMSP, uid: 'VLM-DRIVER', type: 'RFID' },
        cpo: THEIR_CPO,
        locationId: 'LOC1',
        evseUid: '3257',
        connectorId: '',
      });
      const id = reply.command!.id;
      const sent = await eventually(() => cpo.state.commands.find((command) => command.body['response_url'] === `${base}/ocpi/2.1.1/emsp/commands/START_SESSION/${id}`), Boolean, 'the 2.1.1 StartSession at the CPO');
      assert.equal(sent!.command, 'START_SESSION');
      const token = sent!.body['token'] as Record<string, unknown>;
      assert.deepEqual([token['uid'], token['auth_id']], ['VLM-DRIVER', 'NL-VLM-C00000002-X'], 'a 2.1.1 Token');
      assert.ok(!('contract_id' in token) && !('authorization_reference' in sent!.body), 'nothing 2.2-only');
      const done = await eventually(() => getCommand(id), (command) => command.state === commands.CommandState.COMMAND_STATE_COMPLETED, 'the command completed');
      assert.equal((JSON.parse(done.resultJson) as { result: string }).result, 'ACCEPTED');
      assert.equal(cpo.state.resultsPosted.find((posted) => posted.url.endsWith(`/START_SESSION/${id}`))?.httpStatus, 200, 'our response_url took the {result}');

      cpo.behaviour.commandResponse = 'REJECTED';
      const rejected = await rpc<commandService.StopSessionRequest, commandService.StopSessionResponse>(commandsApi.stopSession.bind(commandsApi), { cpo: THEIR_CPO, sessionId: 'BE-SESSION-1', emsp: OUR_EMSP });
      await eventually(() => getCommand(rejected.command!.id), (command) => command.state === commands.CommandState.COMMAND_STATE_REJECTED, 'the command rejected');
      cpo.behaviour.commandResponse = 'ACCEPTED';
      // A result from a partner the command did not go to is refused.
      const forged = await asEmsp('POST', `${base}/ocpi/2.1.1/emsp/commands/START_SESSION/${id}`, { result: 'REJECTED' });
      assert.equal(forged.httpStatus, 404);
    });

    test('our CPO: START_SESSION from the 2.1.1 eMSP charges (session PUT whole with its Location), STOP_SESSION ends it, its CDR is POSTed in 2.1.1', async () => {
      const commandsUrl = emspEndpoint('commands');
      const token = emsp.published['tokens']![0] as ReturnType<typeof aToken211>;
      const neverPushed = await asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: `${emsp.baseUrl}/ocpi/2.1.1/commands/START_SESSION/x`, token: aToken211('NEVER-PUSHED', 'DE-EMS-C9-X'), location_id: 'SES-LOC' });
      assert.deepEqual([statusOf(neverPushed), dataOf<{ result: string }>(neverPushed)?.result], [2000, 'REJECTED'], 'an unknown token: 2000 (2.1.1 has no 2004)');

      const start = await asEmsp('POST', `${commandsUrl}START_SESSION`, { response_url: `${emsp.baseUrl}/ocpi/2.1.1/commands/START_SESSION/s1`, token, location_id: 'SES-LOC', evse_uid: 'SES-E1' });
      assert.equal(statusOf(start), 1000, JSON.stringify(start.body));
      assert.deepEqual(dataOf(start), { result: 'ACCEPTED' }, 'a 2.1.1 CommandResponse: no timeout, no message');
      const result = await eventually(() => emsp.state.received.find((push) => push.method === 'POST' && push.path === '/ocpi/2.1.1/commands/START_SESSION/s1'), Boolean, 'the START_SESSION result at the eMSP');
      assert.deepEqual(result!.body, { result: 'ACCEPTED' });
      const started = await eventually(() => csms.handled.find((done) => done.type === 'START_SESSION'), (done) => !!done?.sessionId, 'the CSMS started a session');
      const sessionId = started!.sessionId!;
      const ocpiSessionId = sessionId.toUpperCase();
      const pushes = () => emsp.state.received.filter((push) => push.path === `/ocpi/2.1.1/sessions/NL/VLT/${ocpiSessionId}`);
      await eventually(pushes, (seen) => seen.some((push) => ((push.body as { charging_periods?: unknown[] }).charging_periods?.length ?? 0) >= 2), 'a session with two periods');

      await eventually(() => csms.sessions.get(sessionId), (progress) => (progress?.periods ?? 0) >= 3, 'three meter periods');
      const stop = await asEmsp('POST', `${commandsUrl}STOP_SESSION`, { response_url: `${emsp.baseUrl}/ocpi/2.1.1/commands/STOP_SESSION/s1`, session_id: sessionId });
      assert.deepEqual(dataOf(stop), { result: 'ACCEPTED' });
      const stopped = await eventually(() => emsp.state.received.find((push) => push.path === '/ocpi/2.1.1/commands/STOP_SESSION/s1'), Boolean, 'the STOP_SESSION result');
      assert.deepEqual(stopped!.body, { result: 'ACCEPTED' }, 'a 2.1.1 CommandResponse at the response_url');
      await eventually(pushes, (seen) => seen.some((push) => (push.body as { status: string }).status === 'COMPLETED'), 'the COMPLETED session pushed');

      // Every push is a whole 2.1.1 Session (2.1.1 PATCH would replace the period list): PUT only.
      const seen = pushes();
      assert.deepEqual([...new Set(seen.map((push) => push.method))], ['PUT'], 'whole-session PUTs, no PATCH appends');
      type Session211 = { id: string; start_datetime: string; end_datetime?: string; auth_id: string; auth_method: string; status: string; total_cost?: unknown; charging_periods: { start_date_time: string }[]; location: { id: string; evses: { uid: string; connectors: unknown[] }[] } } & Record<string, unknown>;
      const last = seen.at(-1)!.body as Session211;
      assert.deepEqual([last.id, last.auth_id, last.auth_method, last.status], [ocpiSessionId, 'DE-EMS-C00000042-X', 'AUTH_REQUEST', 'COMPLETED']);
      assert.ok(last.start_datetime && last.end_datetime, 'start_datetime and end_datetime');
      assert.deepEqual([last.location.id, last.location.evses.length, last.location.evses[0]?.uid, last.location.evses[0]?.connectors.length], ['SES-LOC', 1, 'SES-E1', 1], 'the Location embedded with only the EVSE and connector used');
      for (const field of ['country_code', 'party_id', 'cdr_token', 'location_id', 'start_date_time']) assert.ok(!(field in last), `no ${field} in a 2.1.1 Session`);
      assert.ok(last.total_cost === undefined || typeof last.total_cost === 'number', 'total_cost is a number');
      const stored = await getSession(sessions.SessionRole.SESSION_ROLE_CPO, OUR_CPO, sessionId);
      assert.equal(stored?.status, 'COMPLETED');
      assert.equal(last.charging_periods.length, stored?.periodCount, 'the last PUT holds every period we hold');
      assert.equal(seen[0]!.headers['ocpi-to-party-id'], '', 'no routing headers');

      const cdrPosts = () => emsp.state.received.filter((push) => push.method === 'POST' && /^\/ocpi\/2\.1\.1\/cdrs\/?$/.test(push.path));
      type Cdr211 = { id: string; stop_date_time: string; auth_id: string; total_cost: unknown; total_energy: number; location: { id: string; evses: { evse_id?: string; connectors: Record<string, unknown>[] }[] }; charging_periods: { dimensions: { type: string; volume: number }[] }[] } & Record<string, unknown>;
      const [posted] = await eventually(() => cdrPosts().filter((push) => (push.body as Cdr211).location?.id === 'SES-LOC'), (found) => found.length > 0, 'the CDR at the eMSP');
      const cdr = posted!.body as Cdr211;
      assert.equal(typeof cdr.total_cost, 'number', 'total_cost is a number in 2.1.1');
      assert.ok(cdr.stop_date_time, 'stop_date_time');
      for (const field of ['end_date_time', 'cdr_token', 'cdr_location', 'session_id', 'country_code', 'party_id']) assert.ok(!(field in cdr), `no ${field} in a 2.1.1 CDR`);
      assert.equal(cdr.auth_id, 'DE-EMS-C00000042-X');
      assert.equal(cdr.location.evses[0]?.evse_id, 'NL*VLT*ESES1');
      assert.deepEqual([cdr.location.evses[0]?.connectors[0]?.['voltage'], cdr.location.evses[0]?.connectors[0]?.['amperage']], [230, 32], 'the connector rating from our Location');
      const energy = cdr.charging_periods.flatMap((period) => period.dimensions).filter((dimension) => dimension.type === 'ENERGY').reduce((sum, dimension) => sum + units(dimension.volume), 0n);
      assert.equal(units(cdr.total_energy), energy, 'total_energy is the sum of the periods');
      assert.equal(units(cdr.total_cost as number), (energy * 3n) / 10n, `€0.30/kWh excl. VAT: ${String(cdr.total_cost)} for ${cdr.total_energy} kWh`);

      // The eMSP reads our session and CDR back from our 2.1.1 Senders.
      const sessionsPage = await asEmsp('GET', `${emspEndpoint('sessions')}?date_from=2020-01-01T00:00:00Z`);
      assert.equal(statusOf(sessionsPage), 1000, JSON.stringify(sessionsPage.body));
      assert.ok(dataOf<Session211[]>(sessionsPage)!.some((session) => session.id === ocpiSessionId && session.location.id === 'SES-LOC'), 'our session in 2.1.1');
      const cdrPage = await asEmsp('GET', `${emspEndpoint('cdrs')}?date_from=2020-01-01T00:00:00Z`);
      assert.ok(dataOf<Cdr211[]>(cdrPage)!.some((listed) => listed.id === cdr.id && typeof listed.total_cost === 'number'), 'our CDR in 2.1.1');
      assert.equal(cdrPosts().filter((push) => (push.body as Cdr211).id === cdr.id).length, 1, 'the CDR is posted once');
    });
  });

  describe('sessions and CDRs from the 2.1.1 CPO', () => {
    const contract = 'NL-VLM-C00000007-X';
    const t0 = Date.parse('2026-11-01T10:00:00Z');
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString().replace('.000Z', 'Z');
    const period = (minutes: number, kwh: number) => ({ start_date_time: at(minutes), dimensions: [{ type: 'ENERGY', volume: kwh }] });
    /** LOC1 as a 2.1.1 Session or CDR embeds it: only the EVSE and connector used. */
    const usedLocation = () => {
      const location = fixture('locations_example.json') as { evses: { uid: string; connectors: unknown[] }[] };
      const [evse] = location.evses;
      return { ...location, evses: [{ ...evse!, connectors: evse!.connectors.slice(0, 1) }] };
    };

    test('our eMSP: the 2.1.1 CPO PUTs a session of our token (auth_id), PATCHes it with the whole period list; each period is stored once', async () => {
      await issue(aToken({ ...{ country_code: 'NL', party_id: 'VLM' }, uid: 'VLM-S211', contract_id: contract, last_updated: new Date().toISOString() }));
      const url = `${cpo.peerEndpoint('sessions', 'RECEIVER')}BE/BEC/S211-1`;
      const session = { id: 'S211-1', start_datetime: at(0), kwh: 5, auth_id: contract, auth_method: 'WHITELIST', location: usedLocation(), currency: 'EUR', charging_periods: [period(0, 5)], status: 'ACTIVE', last_updated: at(1) };
      const put = await asCpo('PUT', url, session);
      assert.equal(statusOf(put), 1000, JSON.stringify(put.body));
      const patch = await asCpo('PATCH', url, { kwh: 12, charging_periods: [period(0, 5), period(30, 7)], last_updated: at(31) });
      assert.equal(statusOf(patch), 1000, JSON.stringify(patch.body));
      const stored = await eventually(() => getSession(sessions.SessionRole.SESSION_ROLE_EMSP, THEIR_CPO, 'S211-1'), (found) => found?.periodCount === 2 && (JSON.parse(found.ocpiJson) as { kwh: number }).kwh === 12, 'the PATCH stored');
      const model = JSON.parse(stored!.ocpiJson) as { cdr_token: { uid: string; contract_id: string }; location_id: string; evse_uid: string; connector_id: string };
      assert.deepEqual([model.cdr_token.uid, model.cdr_token.contract_id, model.location_id, model.evse_uid, model.connector_id], ['VLM-S211', contract, 'LOC1', '3256', '1']);

      // The whole list again, now COMPLETED: nothing appended twice.
      const done = await asCpo('PATCH', url, { status: 'COMPLETED', end_datetime: at(60), charging_periods: [period(0, 5), period(30, 7)], last_updated: at(61) });
      assert.equal(statusOf(done), 1000, JSON.stringify(done.body));
      const completed = await eventually(() => getSession(sessions.SessionRole.SESSION_ROLE_EMSP, THEIR_CPO, 'S211-1'), (found) => found?.status === 'COMPLETED', 'the session completed');
      assert.equal(completed?.periodCount, 2, 'a repeated period list appends nothing');

      const readBack = await asCpo('GET', url);
      assert.equal(statusOf(readBack), 1000, JSON.stringify(readBack.body));
      const shown = dataOf<{ auth_id: string; start_datetime: string; status: string; charging_periods: unknown[]; location: { id: string; evses: { uid: string }[] } }>(readBack)!;
      assert.deepEqual([shown.auth_id, Date.parse(shown.start_datetime), shown.status, shown.charging_periods.length, shown.location.id, shown.location.evses.map((evse) => evse.uid)], [contract, Date.parse(at(0)), 'COMPLETED', 2, 'LOC1', ['3256']]);

      const notOurs = await asCpo('PUT', `${cpo.peerEndpoint('sessions', 'RECEIVER')}BE/BEC/S211-2`, { ...session, id: 'S211-2', auth_id: 'DE-XXX-C1-X' });
      assert.equal(statusOf(notOurs), 2001);
      assert.match(messageOf(notOurs), /auth_id/);
    });

    test('our eMSP: the 2.1.1 CPO POSTs its CDR, answered with where it is kept under /ocpi/2.1.1/emsp/cdrs; stored once and readable back', async () => {
      const cdrsUrl = cpo.peerEndpoint('cdrs', 'RECEIVER');
      const cdr = { id: 'CDR211-1', start_date_time: at(0), stop_date_time: at(60), auth_id: contract, auth_method: 'WHITELIST', location: { ...usedLocation(), evses: usedLocation().evses.map((evse) => ({ ...evse, evse_id: 'BE-BEC-E041503001' })) }, currency: 'EUR', charging_periods: [period(0, 5), period(30, 7)], total_cost: 4.8, total_energy: 12, total_time: 1, last_updated: at(61) };
      const posted = await asCpo('POST', cdrsUrl, cdr);
      assert.equal(statusOf(posted), 1000, JSON.stringify(posted.body));
      assert.equal(posted.headers['location'], `${base}/ocpi/2.1.1/emsp/cdrs/BE/BEC/CDR211-1`);
      const fetched = await eventually(() => asCpo('GET', posted.headers['location']!), (result) => statusOf(result) === 1000, 'the CDR readable');
      const shown = dataOf<Record<string, unknown>>(fetched)!;
      assert.deepEqual([shown['id'], shown['auth_id'], shown['total_cost'], Date.parse(String(shown['stop_date_time'])), (shown['location'] as { id: string }).id], ['CDR211-1', contract, 4.8, Date.parse(at(60)), 'LOC1']);

      // A retry after a lost answer: acknowledged, stored once. Same id, other content: refused.
      assert.equal(statusOf(await asCpo('POST', cdrsUrl, cdr)), 1000);
      const changed = await asCpo('POST', cdrsUrl, { ...cdr, total_cost: 5 });
      assert.equal(statusOf(changed), 2001);
      assert.match(messageOf(changed), /already/);
      const received = await eventually(() => listCdrs(cdrs.CdrRole.CDR_ROLE_EMSP), (list) => list.some((stored) => stored.id === 'CDR211-1'), 'the CDR stored');
      const ours = received.filter((stored) => stored.id === 'CDR211-1');
      assert.equal(ours.length, 1, 'stored once');
      assert.deepEqual([ours[0]!.cpo?.countryCode, ours[0]!.cpo?.partyId, ours[0]!.contractId, Number(ours[0]!.totalCostExclVat)], ['BE', 'BEC', contract, 4.8]);
    });
  });

  test('bad input on every 2.1.1 route is a 2.1.1 client error naming the problem, never a 5xx, never stored', async () => {
    const ours = (identifier: string, partner: SimPartner) => partner === cpo ? cpo.peerEndpoint(identifier, 'RECEIVER') : emspEndpoint(identifier);
    const routes: Array<[SimPartner, string, () => string]> = [
      [cpo, 'PUT', () => `${ours('locations', cpo)}BE/BEC/BAD-LOC`],
      [cpo, 'PATCH', () => `${ours('locations', cpo)}BE/BEC/LOC1/3256`],
      [cpo, 'PUT', () => `${ours('tariffs', cpo)}BE/BEC/BAD-T`],
      [cpo, 'PATCH', () => `${ours('tariffs', cpo)}BE/BEC/BAD-T`],
      [cpo, 'PUT', () => `${ours('sessions', cpo)}BE/BEC/BAD-S`],
      [cpo, 'PATCH', () => `${ours('sessions', cpo)}BE/BEC/BAD-S`],
      [cpo, 'POST', () => ours('cdrs', cpo)],
      [cpo, 'POST', () => `${ours('tokens', cpo)}VLM-211-0001/authorize`],
      [cpo, 'POST', () => `${ours('commands', cpo)}START_SESSION/not-a-command`],
      [emsp, 'PUT', () => `${ours('tokens', emsp)}DE/EMS/BAD-TOKEN`],
      [emsp, 'PATCH', () => `${ours('tokens', emsp)}DE/EMS/BAD-TOKEN`],
      [emsp, 'POST', () => `${ours('commands', emsp)}START_SESSION`],
      [emsp, 'POST', () => `${ours('commands', emsp)}CANCEL_RESERVATION`],
    ];
    const bodies: unknown[] = [{}, [], 'text', { id: 42, last_updated: 'yesterday' }, { location_id: null, evse_uids: 'E1', result: 'MAYBE' }];
    for (const [partner, method, urlOf] of routes) {
      const url = urlOf();
      for (const body of bodies) {
        const answer = partner === cpo ? await asCpo(method, url, body) : await asEmsp(method, url, body);
        const what = `${method} ${new URL(url).pathname} ${JSON.stringify(body)}`;
        assert.ok(answer.httpStatus < 500, `${what}: HTTP ${answer.httpStatus} ${JSON.stringify(answer.body)}`);
        const status = statusOf(answer);
        assert.ok(status >= 2000 && status <= 2003, `${what}: a 2.1.1 client error, got ${status}`);
        assert.ok(messageOf(answer).length > 0, `${what}: the answer says what is wrong`);
      }
    }
    assert.equal(await partnerLocation('BAD-LOC'), undefined, 'no bad location stored');
  });

  test('each partner reaches only its own objects on the 2.1.1 routes, and a 2.2.1 connection none of them', async () => {
    // Each 2.1.1 partner names parties that are not its own (ours, the other partner's) in Receiver URLs.
    const foreign = ['NL/VLT', 'NL/VLM', 'DE/EMS'];
    const cpoWrites: Array<[string, (party: string) => string, unknown]> = [
      ['PUT', (party) => `${cpo.peerEndpoint('locations', 'RECEIVER')}${party}/AUTHZ-LOC`, aLocation211('AUTHZ-LOC')],
      ['GET', (party) => `${cpo.peerEndpoint('locations', 'RECEIVER')}${party}/LOC1`, undefined],
      ['PUT', (party) => `${cpo.peerEndpoint('tariffs', 'RECEIVER')}${party}/AUTHZ-T`, fixture('tariffs_simple_2_euro_per_hour.json')],
      ['DELETE', (party) => `${cpo.peerEndpoint('tariffs', 'RECEIVER')}${party}/AUTHZ-T`, undefined],
      ['GET', (party) => `${cpo.peerEndpoint('sessions', 'RECEIVER')}${party}/S211-1`, undefined],
      ['GET', (party) => `${cpo.peerEndpoint('cdrs', 'RECEIVER')}${party}/CDR211-1`, undefined],
    ];
    for (const [method, urlOf, body] of cpoWrites) {
      for (const party of foreign) {
        const answer = await asCpo(method, urlOf(party), body);
        assert.equal(answer.httpStatus, 404, `${method} ${urlOf(party)}: another party's object is as good as absent (${JSON.stringify(answer.body)})`);
      }
    }
    for (const party of ['NL/VLT', 'NL/VLM', 'BE/BEC']) {
      const answer = await asEmsp('PUT', `${emspEndpoint('tokens')}${party}/AUTHZ-TOKEN`, aToken211('AUTHZ-TOKEN', 'X-1'));
      assert.equal(answer.httpStatus, 404, `the 2.1.1 eMSP may not push a token of ${party}`);
    }
    assert.equal(await partnerLocation('AUTHZ-LOC'), undefined, 'nothing stored under another party');

    // A partner that registered on 2.2.1 uses the URLs of its own version details.
    const modern = await sim({ countryCode: 'FR', partyId: 'MOD', role: 'CPO' });
    await connectPartner(mesh, modern, { role_211: 'CPO' });
    const refused = await modern.callPeer('PUT', `${cpo.peerEndpoint('locations', 'RECEIVER')}FR/MOD/AUTHZ-LOC`, aLocation211('AUTHZ-LOC'));
    assert.equal(refused.httpStatus, 404, JSON.stringify(refused.body));
    assert.match(messageOf(refused), /speaks OCPI 2\.2\.1/);
    assert.equal(await partnerLocation('AUTHZ-LOC'), undefined, 'nothing stored by a 2.2.1 connection through 2.1.1');
  });

  test('the 2.1.1 CPO PUTs a tariff and PATCHes it as 2.1.1 allows (the spec example, without last_updated): the new price is stored', async () => {
    const url = `${cpo.peerEndpoint('tariffs', 'RECEIVER')}BE/BEC/12`;
    const put = await asCpo('PUT', url, fixture('tariffs_simple_2_euro_per_hour.json'));
    assert.equal(statusOf(put), 1000, JSON.stringify(put.body));
    await eventually(() => asCpo('GET', url), (result) => statusOf(result) === 1000, 'the tariff readable');
    const patch = await asCpo('PATCH', url, fixture('tariffs_patch_change_tariff_to_2_50.json'));
    assert.equal(statusOf(patch), 1000, JSON.stringify(patch.body));
    const patched = await eventually(
      () => asCpo('GET', url),
      (result) => dataOf<{ elements: { price_components: { price: number }[] }[] }>(result)?.elements[0]?.price_components[0]?.price === 2.5,
      'the patched price stored',
    );
    assert.equal(dataOf<{ currency: string }>(patched)?.currency, 'EUR', 'the fields the patch did not name stay');
  });
});
