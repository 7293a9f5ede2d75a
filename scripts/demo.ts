/**
 * `make demo` (after `make up`): seeds our own CPO network through the internal gRPC APIs
 * (60 locations, 240 EVSEs, four tariffs incl. time-of-day and parking), connects a simulated
 * partner eMSP to the gateway, runs a charger simulator that changes EVSE statuses and a CSMS
 * simulator that executes the partner's commands and reports the sessions they start (a charging
 * period every 5 s), and has the partner push a token, start a session every 10 s and stop it 20 s
 * later, until Ctrl-C, printing what reaches the partner: statuses, sessions, command results, CDRs.
 */
import { join } from 'node:path';
import { createLogger } from '@voltmesh/telemetry';
import { aToken, defaultPorts, ensureSecrets, repoRoot, startSimPartner } from '@voltmesh/testing';
import { startCsmsSimulator } from './demo/csms.js';
import { demoClients, runChargerSimulator, seedDemoNetwork } from './demo/seed.js';

const stateDir = process.env['VOLTMESH_STATE_DIR'] ?? join(repoRoot(), '.voltmesh');
const ports = defaultPorts();
const tickMs = Number(process.env['DEMO_TICK_MS'] ?? 500);
const admin = `http://127.0.0.1:${ports.admin}`;
const { adminToken } = ensureSecrets(stateDir);

const clients = demoClients({ locations: `127.0.0.1:${ports.grpc.locations}`, tariffs: `127.0.0.1:${ports.grpc.tariffs}` });
const network = await seedDemoNetwork(clients, { countryCode: 'NL', partyId: 'VLT', locations: 60, evsesPerLocation: 4, at: new Date().toISOString() });
console.log(`seeded NL*VLT: ${network.locations.length} locations, ${network.locations.flatMap((location) => location.evses).length} EVSEs, ${network.tariffs.length} tariffs`);

// A previous demo's partner still holds DE*DMO (its simulator is gone): disconnect it first, so
// `make demo` can run again on the same state.
const adminHeaders = { authorization: `Bearer ${adminToken}` };
const existing = (await (await fetch(`${admin}/admin/connections`, { headers: adminHeaders })).json()) as { connections: { id: string; state: string; roles: { party_id: string }[] }[] };
for (const connection of existing.connections.filter((candidate) => candidate.state !== 'UNREGISTERED' && candidate.roles.some((role) => role.party_id === 'DMO'))) {
  await fetch(`${admin}/admin/connections/${connection.id}`, { method: 'DELETE', headers: adminHeaders });
  console.log(`disconnected the previous demo partner ${connection.id}`);
}

const partner = await startSimPartner({ countryCode: 'DE', partyId: 'DMO', role: 'EMSP', name: 'Demo eMSP' });
const invitation = await fetch(`${admin}/admin/invitations`, {
  method: 'POST',
  headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ label: 'demo partner eMSP' }),
});
const { token_a: tokenA, versions_url: versionsUrl } = (await invitation.json()) as { token_a: string; versions_url: string };
const registered = await partner.registerWith(versionsUrl, tokenA);
console.log(`demo partner eMSP DE*DMO at ${partner.versionsUrl}: registration status ${(registered.body as { status_code?: number }).status_code}`);

const firstPage = await partner.callPeer('GET', `${versionsUrl.replace(/\/versions$/, '')}/2.2.1/cpo/locations?limit=10`);
console.log(`the partner pulls our locations: ${firstPage.headers['x-total-count'] ?? '?'} in total, Link ${firstPage.headers['link'] ?? 'none'}`);

// Our CSMS executes what the partner commands; the partner's token is pushed to our CPO first.
const csms = await startCsmsSimulator({
  kafkaBrokers: [`127.0.0.1:${ports.kafka}`],
  sessionsAddress: `127.0.0.1:${ports.grpc.sessions}`,
  locationsAddress: `127.0.0.1:${ports.grpc.locations}`,
  groupId: 'csms.commands',
  logger: createLogger('csms-simulator', 'warn'),
  meterIntervalMs: 5_000,
});
const driverToken = aToken({ country_code: 'DE', party_id: 'DMO', uid: 'DEMO-CARD-1', contract_id: 'DE-DMO-C00000001-X', issuer: 'Demo eMSP', last_updated: new Date().toISOString() });
const tokenPut = await partner.callPeer('PUT', `${partner.peerEndpoint('tokens', 'RECEIVER')}DE/DMO/DEMO-CARD-1`, driverToken);
console.log(`the partner pushes its token DEMO-CARD-1: status ${(tokenPut.body as { status_code?: number }).status_code}`);
const commandsUrl = partner.peerEndpoint('commands', 'RECEIVER');
let round = 0;
const driver = setInterval(() => {
  round += 1;
  const location = network.locations[round % network.locations.length]!;
  const responseUrl = `${partner.baseUrl}/ocpi/2.2.1/commands/START_SESSION/demo-${round}`;
  void partner
    .callPeer('POST', `${commandsUrl}START_SESSION`, { response_url: responseUrl, token: driverToken, location_id: location.id, evse_uid: location.evses[0]!.uid })
    .then((answer) => console.log(`partner START_SESSION at ${location.id}: ${JSON.stringify((answer.body as { data?: unknown }).data)}`))
    .catch((error: unknown) => console.error(`command failed: ${String(error)}`));
  // Each session charges for two rounds, then the driver stops it: its CDR follows.
  const ending = csms.handled.find((done) => done.type === 'START_SESSION' && done.responseUrl.endsWith(`/demo-${round - 2}`));
  if (ending?.sessionId) {
    void partner
      .callPeer('POST', `${commandsUrl}STOP_SESSION`, { response_url: `${partner.baseUrl}/ocpi/2.2.1/commands/STOP_SESSION/demo-${round}`, session_id: ending.sessionId })
      .catch((error: unknown) => console.error(`command failed: ${String(error)}`));
  }
}, 10_000);

let reported = 0;
const simulator = runChargerSimulator(clients, network, tickMs, () => (reported += 1));
const report = setInterval(() => {
  const pushes = partner.state.received;
  const patches = pushes.filter((push) => push.method === 'PATCH').length;
  const results = new Map<string, number>();
  for (const push of pushes.filter((candidate) => candidate.path.includes('/commands/'))) {
    const result = (push.body as { result?: string }).result ?? '?';
    results.set(result, (results.get(result) ?? 0) + 1);
  }
  const summary = [...results].map(([result, count]) => `${count} ${result}`).join(', ') || 'none yet';
  const sessionPushes = pushes.filter((push) => push.path.includes('/sessions/')).length;
  const cdrs = pushes.filter((push) => push.method === 'POST' && push.path.includes('/cdrs')).length;
  console.log(`statuses reported ${reported}; pushes received by the partner: ${pushes.length} (${patches} PATCHes, ${sessionPushes} of sessions, ${cdrs} CDRs); command results: ${summary}; CSMS executed ${csms.handled.length}`);
}, 5_000);

const stop = async () => {
  simulator.stop();
  clearInterval(report);
  clearInterval(driver);
  await csms.stop();
  clients.close();
  await partner.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
console.log(`charger simulator running (one change every ${tickMs} ms); Ctrl-C to stop`);
