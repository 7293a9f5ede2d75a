/**
 * `make demo` (after `make up`): seeds our own CPO network through the internal gRPC APIs
 * (60 locations, 240 EVSEs, four tariffs incl. time-of-day and parking), connects a simulated
 * partner eMSP to the gateway, and runs a charger simulator that changes EVSE statuses until
 * Ctrl-C, printing what reaches the partner every few seconds.
 */
import { join } from 'node:path';
import { defaultPorts, ensureSecrets, repoRoot, startSimPartner } from '@voltmesh/testing';
import { demoClients, runChargerSimulator, seedDemoNetwork } from './demo/seed.js';

const stateDir = process.env['VOLTMESH_STATE_DIR'] ?? join(repoRoot(), '.voltmesh');
const ports = defaultPorts();
const tickMs = Number(process.env['DEMO_TICK_MS'] ?? 500);
const admin = `http://127.0.0.1:${ports.admin}`;
const { adminToken } = ensureSecrets(stateDir);

const clients = demoClients({ locations: `127.0.0.1:${ports.grpc.locations}`, tariffs: `127.0.0.1:${ports.grpc.tariffs}` });
const network = await seedDemoNetwork(clients, { countryCode: 'NL', partyId: 'VLT', locations: 60, evsesPerLocation: 4, at: new Date().toISOString() });
console.log(`seeded NL*VLT: ${network.locations.length} locations, ${network.locations.flatMap((location) => location.evses).length} EVSEs, ${network.tariffs.length} tariffs`);

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

let reported = 0;
const simulator = runChargerSimulator(clients, network, tickMs, () => (reported += 1));
const report = setInterval(() => {
  const pushes = partner.state.received;
  const patches = pushes.filter((push) => push.method === 'PATCH').length;
  console.log(`statuses reported ${reported}; pushes received by the partner: ${pushes.length} (${patches} EVSE PATCHes)`);
}, 5_000);

const stop = async () => {
  simulator.stop();
  clearInterval(report);
  clients.close();
  await partner.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
console.log(`charger simulator running (one change every ${tickMs} ms); Ctrl-C to stop`);
