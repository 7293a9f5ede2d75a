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

test('Receiver faults: 500, 429 with Retry-After, truncated JSON, an answer past the deadline, a closed port; each push recorded with its answer', async () => {
  const receiver = await startSimPartner({ countryCode: 'NL', partyId: 'RCV', role: 'EMSP' });
  const sender = await startSimPartner({ countryCode: 'DE', partyId: 'SND', role: 'CPO' });
  try {
    assert.equal(status((await sender.registerWith(receiver.versionsUrl, receiver.issueTokenA())).body), 1000);
    const url = `${receiver.baseUrl}/ocpi/2.2.1/cdrs/`;
    const push = (id: string) => sender.callPeer('POST', url, { id });

    receiver.receiverFault.mode = 'error500';
    assert.equal((await push('A')).httpStatus, 500);
    Object.assign(receiver.receiverFault, { mode: 'rateLimited', retryAfterSeconds: 7 });
    const limited = await push('B');
    assert.equal(limited.httpStatus, 429);
    assert.equal(limited.headers['retry-after'], '7');
    receiver.receiverFault.mode = 'truncated';
    const truncated = await push('C');
    assert.equal(truncated.httpStatus, 200);
    assert.equal(typeof truncated.body, 'string', 'the body is not JSON');
    // Only the modules named are affected.
    Object.assign(receiver.receiverFault, { mode: 'error500', modules: ['sessions'] });
    assert.equal(status((await push('D')).body), 1000);
    Object.assign(receiver.receiverFault, { mode: 'slow', delayMs: 600, modules: undefined });
    const late = await fetch(url, { method: 'POST', headers: { authorization: `Token ${Buffer.from(sender.state.peerToken!).toString('base64')}`, 'content-type': 'application/json' }, body: '{"id":"E"}', signal: AbortSignal.timeout(200) }).catch((error: unknown) => error);
    assert.ok(late instanceof Error, 'the caller gave up before the slow answer');
    await new Promise((resolve) => setTimeout(resolve, 800));
    receiver.receiverFault.mode = 'none';
    const answers = receiver.state.received.map((entry) => `${(entry.body as { id: string }).id}:${entry.answer}:${entry.delivered}`);
    assert.deepEqual(answers, ['A:error500:true', 'B:rateLimited:true', 'C:truncated:true', 'D:ok:true', 'E:slow:false']);

    await receiver.goDown();
    const refused = await push('F').catch((error: unknown) => error);
    assert.ok(refused instanceof Error, 'a closed port refuses the connection');
    await receiver.comeUp();
    assert.equal(status((await push('G')).body), 1000);
    assert.deepEqual(receiver.state.received.map((entry) => (entry.body as { id: string }).id).slice(-1), ['G'], 'nothing arrived while down');
  } finally {
    await Promise.all([receiver.close(), sender.close()]);
  }
});
