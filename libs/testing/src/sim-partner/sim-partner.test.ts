import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimPartner } from './sim-partner.js';

const status = (body: unknown) => (body as { status_code?: number }).status_code;

test('the simulated partner does the full credentials handshake with another copy of itself', async () => {
  const receiver = await startSimPartner({ countryCode: 'NL', partyId: 'RCV', role: 'CPO' });
  const sender = await startSimPartner({ countryCode: 'DE', partyId: 'SND', role: 'EMSP' });
  try {
    const tokenA = receiver.issueTokenA();
    const registered = await sender.registerWith(receiver.versionsUrl, tokenA);
    assert.equal(status(registered.body), 1000);
    const tokenC = sender.state.peerToken!;
    assert.ok(tokenC, 'tokenC');
    assert.equal(receiver.state.registeredPeer?.url, sender.versionsUrl);
    const credentialsUrl = sender.state.peerCredentialsUrl!;

    assert.equal((await sender.callPeer('GET', receiver.versionsUrl, undefined, tokenA)).httpStatus, 401, 'token A is dead');
    assert.equal((await sender.callPeer('POST', credentialsUrl, {})).httpStatus, 405, 'registered twice');
    assert.equal(status((await sender.getCredentials()).body), 1000);

    assert.equal(status((await sender.updateCredentials()).body), 1000);
    assert.notEqual(sender.state.peerToken, tokenC);
    assert.equal((await sender.callPeer('GET', receiver.versionsUrl, undefined, tokenC)).httpStatus, 401, 'old token C is dead');

    assert.equal(status((await sender.unregister()).body), 1000);
    assert.equal((await sender.callPeer('DELETE', credentialsUrl, undefined, sender.state.peerCredentials!.token)).httpStatus, 401);
  } finally {
    await Promise.all([receiver.close(), sender.close()]);
  }
});

test('a registering partner whose versions fail gets 3001 and nothing is stored', async () => {
  const receiver = await startSimPartner({ countryCode: 'NL', partyId: 'RCV', role: 'CPO' });
  const sender = await startSimPartner({ countryCode: 'DE', partyId: 'SND', role: 'EMSP' });
  try {
    sender.faults.versionsStatus = 500;
    const result = await sender.registerWith(receiver.versionsUrl, receiver.issueTokenA());
    assert.equal(status(result.body), 3001);
    assert.equal(receiver.state.registeredPeer, undefined);
    assert.equal(sender.state.peerToken, undefined);
  } finally {
    await Promise.all([receiver.close(), sender.close()]);
  }
});
