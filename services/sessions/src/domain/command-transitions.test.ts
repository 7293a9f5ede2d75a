import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CommandResponse } from '@voltmesh/ocpi';
import { TIMEOUT_RESULT_JSON, type CommandRecord } from './command.js';
import { applyDue, applyPartnerAnswer, linkSession, nextDueAt, reportInboundResult, type CommandOutcome, type PartnerAnswer } from './command-transitions.js';
import { aCommand, after } from './test-builders.js';

const WAIT_MS = 60_000;
const response = (result: CommandResponse['result'], timeout = 30): PartnerAnswer => {
  const body: CommandResponse = { result, timeout, message: [] };
  return { kind: 'response', response: body, responseJson: JSON.stringify(body) };
};
const result = (text = 'ACCEPTED'): PartnerAnswer => ({ kind: 'result', resultJson: JSON.stringify({ result: text, message: [] }) });
const notDelivered: PartnerAnswer = { kind: 'notDelivered', reason: 'no commands endpoint' };

/** The command after a change; fails when the outcome is not a change. */
function next(outcome: CommandOutcome): CommandRecord {
  assert.ok('changed' in outcome && outcome.changed, `expected a change, got ${JSON.stringify(outcome)}`);
  return outcome.command;
}

describe('outbound commands: what the gateway reports', () => {
  test('each CommandResponse type moves REQUESTED to its state; ACCEPTED gets a deadline from when the gateway received it', () => {
    const accepted = next(applyPartnerAnswer(aCommand(), 'conn-1', response('ACCEPTED', 30), after(2), after(5)));
    assert.equal(accepted.state, 'ACCEPTED');
    assert.equal(accepted.deadline, after(32).toISOString(), 'received_at + timeout, not processing time');
    assert.equal(accepted.connectionId, 'conn-1', 'the connection is learnt from the first answer');
    assert.equal(accepted.updatedAt, after(5).toISOString());
    assert.deepEqual(JSON.parse(accepted.responseJson), { result: 'ACCEPTED', timeout: 30, message: [] });
    for (const [type, state] of [['REJECTED', 'REJECTED'], ['NOT_SUPPORTED', 'NOT_SUPPORTED'], ['UNKNOWN_SESSION', 'UNKNOWN_SESSION']] as const) {
      const answered = next(applyPartnerAnswer(aCommand(), 'conn-1', response(type), after(1), after(1)));
      assert.equal(answered.state, state);
      assert.equal(answered.deadline, '', `${type} is final: nothing to wait for`);
    }
  });

  test('a replayed response changes nothing; a second, different one neither', () => {
    const accepted = next(applyPartnerAnswer(aCommand(), 'conn-1', response('ACCEPTED'), after(1), after(1)));
    assert.deepEqual(applyPartnerAnswer(accepted, 'conn-1', response('ACCEPTED'), after(1), after(9)), { changed: false });
    assert.deepEqual(applyPartnerAnswer(accepted, 'conn-1', response('REJECTED'), after(2), after(9)), { changed: false });
  });

  test('a result completes ACCEPTED, and also TIMEOUT (late), REQUESTED (before the response) and NOT_DELIVERED; once only', () => {
    const accepted = next(applyPartnerAnswer(aCommand(), 'conn-1', response('ACCEPTED'), after(1), after(1)));
    const completed = next(applyPartnerAnswer(accepted, 'conn-1', result(), after(3), after(3)));
    assert.equal(completed.state, 'COMPLETED');
    assert.deepEqual(JSON.parse(completed.resultJson), { result: 'ACCEPTED', message: [] });
    assert.deepEqual(applyPartnerAnswer(completed, 'conn-1', result(), after(4), after(4)), { changed: false }, 'a replayed result');
    assert.deepEqual(applyPartnerAnswer(completed, 'conn-1', result('FAILED'), after(4), after(4)), { changed: false }, 'the first result stays');

    const timedOut = next(applyDue(accepted, after(100), WAIT_MS));
    const late = next(applyPartnerAnswer(timedOut, 'conn-1', result('FAILED'), after(120), after(120)));
    assert.equal(late.state, 'COMPLETED');
    assert.deepEqual(JSON.parse(late.resultJson), { result: 'FAILED', message: [] }, 'the real result replaces the TIMEOUT one');

    const early = next(applyPartnerAnswer(aCommand(), 'conn-1', result(), after(1), after(1)));
    assert.equal(early.state, 'COMPLETED');
    const thenResponse = next(applyPartnerAnswer(early, 'conn-1', response('ACCEPTED'), after(1), after(2)));
    assert.equal(thenResponse.state, 'COMPLETED', 'a response after the result keeps COMPLETED');
    assert.notEqual(thenResponse.responseJson, '', 'but is remembered');
    assert.deepEqual(applyPartnerAnswer(thenResponse, 'conn-1', response('ACCEPTED'), after(1), after(3)), { changed: false });

    const undelivered = next(applyDue(aCommand(), after(61), WAIT_MS));
    assert.equal(next(applyPartnerAnswer(undelivered, 'conn-1', result(), after(70), after(70))).state, 'COMPLETED');
    const rejected = next(applyPartnerAnswer(aCommand(), 'conn-1', response('REJECTED'), after(1), after(1)));
    assert.deepEqual(applyPartnerAnswer(rejected, 'conn-1', result(), after(2), after(2)), { changed: false }, 'a REJECTED command stays rejected');
  });

  test('not delivered: only from REQUESTED, once; also when no connection could be named', () => {
    const undelivered = next(applyPartnerAnswer(aCommand(), 'conn-1', notDelivered, after(1), after(1)));
    assert.equal(undelivered.state, 'NOT_DELIVERED');
    const nowhere = next(applyPartnerAnswer(aCommand(), '', notDelivered, after(1), after(1)));
    assert.deepEqual([nowhere.state, nowhere.connectionId], ['NOT_DELIVERED', '']);
    assert.deepEqual(applyPartnerAnswer(undelivered, 'conn-1', notDelivered, after(1), after(2)), { changed: false });
    const accepted = next(applyPartnerAnswer(aCommand(), 'conn-1', response('ACCEPTED'), after(1), after(1)));
    assert.deepEqual(applyPartnerAnswer(accepted, 'conn-1', notDelivered, after(2), after(2)), { changed: false });
  });

  test('an answer from another connection, or about an inbound command, is refused', () => {
    const accepted = next(applyPartnerAnswer(aCommand(), 'conn-1', response('ACCEPTED'), after(1), after(1)));
    const refusal = applyPartnerAnswer(accepted, 'conn-2', result(), after(2), after(2));
    assert.ok('refused' in refusal && /conn-1, not conn-2/.test(refusal.refused), 'refused naming both connections');
    assert.ok('refused' in applyPartnerAnswer(aCommand({ direction: 'INBOUND', state: 'ACCEPTED', connectionId: 'conn-1' }), 'conn-1', result(), after(2), after(2)), '"refused" in applyPartnerAnswer(aCommand({ direction: "INBOUND", state: "ACCEPTED", connectionId:...');
  });
});

describe('the sweeper', () => {
  test('an ACCEPTED command times out at its deadline with a TIMEOUT result, once; inbound alike', () => {
    for (const direction of ['OUTBOUND', 'INBOUND'] as const) {
      const accepted = aCommand({ direction, state: 'ACCEPTED', deadline: after(30).toISOString() });
      assert.equal(nextDueAt(accepted, WAIT_MS)?.toISOString(), after(30).toISOString());
      assert.deepEqual(applyDue(accepted, after(29), WAIT_MS), { changed: false }, 'not yet');
      const timedOut = next(applyDue(accepted, after(30), WAIT_MS));
      assert.equal(timedOut.state, 'TIMEOUT');
      assert.equal(timedOut.resultJson, TIMEOUT_RESULT_JSON);
      assert.equal(nextDueAt(timedOut, WAIT_MS), undefined);
      assert.deepEqual(applyDue(timedOut, after(90), WAIT_MS), { changed: false });
    }
  });

  test('an outbound command the dispatcher never answered for is NOT_DELIVERED after the wait; an inbound one never waits for it', () => {
    assert.equal(nextDueAt(aCommand(), WAIT_MS)?.toISOString(), after(60).toISOString());
    assert.deepEqual(applyDue(aCommand(), after(59), WAIT_MS), { changed: false });
    assert.equal(next(applyDue(aCommand(), after(60), WAIT_MS)).state, 'NOT_DELIVERED');
    assert.equal(nextDueAt(aCommand({ state: 'COMPLETED' }), WAIT_MS), undefined);
    assert.equal(nextDueAt(aCommand({ direction: 'INBOUND', state: 'UNKNOWN_SESSION' }), WAIT_MS), undefined);
  });
});

describe('linking a partner session', () => {
  test('sets the session of a START_SESSION or RESERVE_NOW in any state, the first one only', () => {
    const timedOut = aCommand({ state: 'TIMEOUT', resultJson: TIMEOUT_RESULT_JSON });
    const linked = next(linkSession(timedOut, 'SESSION1', after(100)));
    assert.equal(linked.sessionId, 'SESSION1');
    assert.equal(linked.state, 'TIMEOUT', 'linking changes no state');
    assert.deepEqual(linkSession(linked, 'SESSION1', after(101)), { changed: false }, 'a replay');
    assert.deepEqual(linkSession(linked, 'SESSION2', after(101)), { changed: false }, 'the first session stays');
    assert.equal(next(linkSession(aCommand({ type: 'RESERVE_NOW' }), 'S', after(1))).sessionId, 'S');
    assert.deepEqual(linkSession(aCommand({ type: 'STOP_SESSION' }), 'S', after(1)), { changed: false });
    assert.deepEqual(linkSession(aCommand({ direction: 'INBOUND' }), 'S', after(1)), { changed: false });
  });
});

describe('inbound commands: our CSMS reports', () => {
  const inbound = aCommand({ direction: 'INBOUND', state: 'ACCEPTED', connectionId: 'conn-1', sessionId: '', evseUid: '', deadline: after(30).toISOString() });
  const report = { resultJson: JSON.stringify({ result: 'ACCEPTED', message: [] }), sessionId: 'S1', evseUid: 'EVSE9' };

  test('ACCEPTED completes with the result, the session and the EVSE the charger chose; a second report changes nothing', () => {
    const completed = next(reportInboundResult(inbound, report, after(5)));
    assert.equal(completed.state, 'COMPLETED');
    assert.equal(completed.resultJson, report.resultJson);
    assert.equal(completed.sessionId, 'S1');
    assert.equal(completed.evseUid, 'EVSE9');
    assert.deepEqual(reportInboundResult(completed, { ...report, resultJson: '{"result":"FAILED","message":[]}' }, after(6)), { changed: false });
    assert.equal(next(reportInboundResult({ ...inbound, evseUid: 'EVSE1' }, report, after(5))).evseUid, 'EVSE1', "the command's EVSE stays");
  });

  test('a report after TIMEOUT changes nothing (the partner has its TIMEOUT already); an outbound command takes no report', () => {
    const timedOut = next(applyDue(inbound, after(30), WAIT_MS));
    assert.deepEqual(reportInboundResult(timedOut, report, after(31)), { changed: false });
    assert.deepEqual(reportInboundResult({ ...inbound, state: 'UNKNOWN_SESSION' }, report, after(1)), { changed: false });
    assert.ok('refused' in reportInboundResult(aCommand({ state: 'ACCEPTED' }), report, after(1)), '"refused" in reportInboundResult(aCommand({ state: "ACCEPTED" }), report, after(1))');
  });
});
