import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Session, SessionPatch } from '@voltmesh/ocpi';
import { aSession } from '@voltmesh/testing';
import { applyPartnerPatch, isSamePut, judgePartnerPut, partnerSessionRecord, type PatchOutcome, type PartnerWrite } from './partner-session.js';
import { aCpoSession, after, aPeriodAt } from './test-builders.js';

const write: PartnerWrite = { connectionId: 'conn-cpo', cpo: { countryCode: 'DE', partyId: 'ABC' }, sessionId: 'SESSION1' };
const now = after(0);
const at = (minutes: number) => after(minutes * 60).toISOString();
const put = (overrides: Partial<Session> = {}): Session => aSession({ charging_periods: [aPeriodAt(0)], last_updated: at(1), ...overrides });
const stored = (overrides: Partial<Session> = {}) => partnerSessionRecord(write, put(overrides), now).next;
const patch = (overrides: Partial<SessionPatch>): SessionPatch => ({ last_updated: at(2), ...overrides });

const errorOf = (code: string, message: RegExp) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  assert.match((error as Error).message, message);
  return true;
};

function appended(outcome: PatchOutcome): Extract<PatchOutcome, { kind: 'append' }> {
  assert.equal(outcome.kind, 'append', `expected an append, got ${outcome.kind}`);
  return outcome as Extract<PatchOutcome, { kind: 'append' }>;
}

describe("a partner CPO's session of our token: PUT", () => {
  test('creates the EMSP-role session of the connection, with its periods', () => {
    assert.equal(judgePartnerPut(undefined, write, put()), 'replace');
    const { next, periods } = partnerSessionRecord(write, put(), now);
    assert.deepEqual([next.role, next.connectionId, next.emsp, next.contractId, next.periodCount], ['EMSP', 'conn-cpo', { countryCode: 'DE', partyId: 'EMS' }, 'DE-EMS-C12345678-X', 1]);
    assert.deepEqual(periods, [aPeriodAt(0)]);
    assert.equal(next.cpoFacts, undefined);
  });

  test('older than stored: stale; as old: a replay when equal, else it replaces; newer: replaces', () => {
    const current = stored();
    assert.equal(judgePartnerPut(current, write, put({ last_updated: at(0) })), 'stale');
    assert.equal(judgePartnerPut(current, write, put()), 'same-time');
    assert.ok(isSamePut(current, [aPeriodAt(0)], put()), 'a replay');
    assert.ok(!isSamePut(current, [aPeriodAt(0)], put({ kwh: 11 })), 'other figures');
    assert.ok(!isSamePut(current, [aPeriodAt(0)], put({ charging_periods: [] })), 'other periods');
    assert.equal(judgePartnerPut(current, write, put({ last_updated: at(5) })), 'replace');
  });

  test('another connection, our own CPO session, another currency, another id: refused for the DLQ', () => {
    assert.throws(() => judgePartnerPut(stored(), { ...write, connectionId: 'conn-other' }, put({ last_updated: at(5) })), errorOf('FAILED_PRECONDITION', /belongs to another connection than conn-other/));
    assert.throws(() => judgePartnerPut(aCpoSession(), write, put({ last_updated: at(5) })), errorOf('FAILED_PRECONDITION', /one of our CPO's sessions/));
    assert.throws(() => judgePartnerPut(stored(), write, put({ last_updated: at(5), currency: 'CHF' })), errorOf('FAILED_PRECONDITION', /^currency mismatch: session SESSION1 is in EUR, the write in CHF/));
    assert.throws(() => judgePartnerPut(undefined, write, put({ id: 'OTHER' })), errorOf('INVALID_ARGUMENT', /id OTHER is not session DE\*ABC\*SESSION1/));
    assert.equal(judgePartnerPut(stored(), write, put({ last_updated: at(0), currency: 'CHF' })), 'stale', 'an old write is ignored, whatever it says');
  });
});

describe("a partner CPO's session of our token: PATCH", () => {
  test('changes the fields given and appends its periods', () => {
    const outcome = appended(applyPartnerPatch(stored(), write, patch({ kwh: 4, status: 'ACTIVE', charging_periods: [aPeriodAt(5), aPeriodAt(10)] }), [], now));
    assert.deepEqual(outcome.append, [aPeriodAt(5), aPeriodAt(10)]);
    assert.deepEqual([outcome.next.ocpi.kwh, outcome.next.ocpi.last_updated, outcome.next.periodCount, outcome.next.lastPeriod], [4, at(2), 3, aPeriodAt(10)]);
    const total = appended(applyPartnerPatch(stored(), write, patch({ total_cost: { excl_vat: 2.5, incl_vat: 3.03 } }), [], now));
    assert.deepEqual([total.append, total.next.ocpi.total_cost], [[], { excl_vat: 2.5, incl_vat: 3.03 }]);
  });

  test('a replayed PATCH (its periods stored already, its fields equal) changes nothing; an older one is stale', () => {
    const once = appended(applyPartnerPatch(stored(), write, patch({ kwh: 4, charging_periods: [aPeriodAt(5)] }), [], now)).next;
    assert.deepEqual(applyPartnerPatch(once, write, patch({ kwh: 4, charging_periods: [aPeriodAt(5)] }), [aPeriodAt(5)], now), { kind: 'unchanged' });
    assert.deepEqual(applyPartnerPatch(once, write, patch({ kwh: 1, last_updated: at(1) }), [], now), { kind: 'stale' });
  });

  test('unknown session, out-of-order periods, another connection, another currency: refused for the DLQ', () => {
    assert.throws(() => applyPartnerPatch(undefined, write, patch({ kwh: 1 }), [], now), errorOf('NOT_FOUND', /^PATCH of unknown session DE\*ABC\*SESSION1/));
    assert.throws(() => applyPartnerPatch(stored(), write, patch({ charging_periods: [aPeriodAt(-5)] }), [], now), errorOf('INVALID_ARGUMENT', /^ocpi_json\.charging_periods\[0\]\.start_date_time: .*out of order or overlapping/));
    assert.throws(() => applyPartnerPatch(stored(), { ...write, connectionId: 'conn-other' }, patch({ kwh: 1 }), [], now), errorOf('FAILED_PRECONDITION', /another connection/));
    assert.throws(() => applyPartnerPatch(stored(), write, patch({ currency: 'USD' }), [], now), errorOf('FAILED_PRECONDITION', /^currency mismatch/));
  });
});

describe("a partner CPO's session of our token: PATCH replacing its periods (OCPI 2.1.1 lists)", () => {
  test('the periods sent are the whole list: a restated period with new figures replaces the stored one', () => {
    const current = appended(applyPartnerPatch(stored(), write, patch({ charging_periods: [aPeriodAt(0), aPeriodAt(5)] }), [aPeriodAt(0)], now)).next;
    const grown = { ...aPeriodAt(5), dimensions: [{ type: 'ENERGY' as const, volume: 9 }] };
    // Appending would refuse the grown period (same start, other figures): a whole list replaces it.
    assert.throws(() => applyPartnerPatch(current, write, patch({ last_updated: at(3), charging_periods: [aPeriodAt(0), grown] }), [aPeriodAt(0), aPeriodAt(5)], now), errorOf('INVALID_ARGUMENT', /same instant with other figures/));
    const outcome = applyPartnerPatch(current, write, patch({ last_updated: at(3), status: 'COMPLETED', charging_periods: [aPeriodAt(0), grown, aPeriodAt(10)] }), [], now, true);
    assert.equal(outcome.kind, 'replace');
    const { next, periods } = outcome as Extract<PatchOutcome, { kind: 'replace' }>;
    assert.deepEqual(periods, [aPeriodAt(0), grown, aPeriodAt(10)]);
    assert.deepEqual([next.periodCount, next.lastPeriod, next.ocpi.status], [3, aPeriodAt(10), 'COMPLETED']);
  });

  test('still judged like any PATCH: older is stale, periods must be in order, no periods means fields only', () => {
    const current = stored();
    assert.deepEqual(applyPartnerPatch(current, write, patch({ last_updated: at(0), charging_periods: [] }), [], now, true), { kind: 'stale' });
    assert.throws(() => applyPartnerPatch(current, write, patch({ charging_periods: [aPeriodAt(5), aPeriodAt(5)] }), [], now, true), errorOf('INVALID_ARGUMENT', /out of order or overlapping/));
    assert.equal(applyPartnerPatch(current, write, patch({ kwh: 7 }), [], now, true).kind, 'append', 'without periods a replacing PATCH changes fields only');
  });
});
