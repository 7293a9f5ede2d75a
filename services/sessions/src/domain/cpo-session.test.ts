import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sessionSchema } from '@voltmesh/ocpi';
import { planEnd, planProgress, stamped, startDifferences, withPrice, type Plan } from './cpo-session.js';
import { sameSession, toOcpiSession, type SessionPrice, type SessionRecord } from './session.js';
import { aCpoSession, after, aPeriodAt, aStart, T0 } from './test-builders.js';

const minutes = (count: number) => after(count * 60).toISOString();
const price = (exclVat: string, inclVat: string): SessionPrice => {
  const zero = { exclVat: '0.0000', inclVat: '0.0000' };
  return {
    currency: 'EUR',
    totalCost: { exclVat, inclVat },
    totalEnergyCost: { exclVat, inclVat },
    totalTimeCost: zero,
    totalParkingCost: zero,
    totalFixedCost: zero,
    totalReservationCost: zero,
    totalEnergy: '1.0000',
    totalTime: '0.2500',
    totalParkingTime: '0.0000',
  };
};

function changed(plan: Plan): Extract<Plan, { kind: 'change' }> {
  assert.equal(plan.kind, 'change', 'expected a change');
  return plan as Extract<Plan, { kind: 'change' }>;
}

/** A session after a progress report was applied (unpriced). */
const progressed = (record: SessionRecord, periods = [aPeriodAt(0)], at = minutes(1), kwh = 1) => changed(planProgress(record, { periods, kwh, at }, [])).next;

const errorOf = (code: string, message: RegExp) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  assert.match((error as Error).message, message);
  return true;
};

describe('a session at our charger: started', () => {
  test('an OCPI Session of the CPO with the token, charging point, tariff currency, no energy, no periods and no price', () => {
    const record = aCpoSession();
    const session = sessionSchema.parse(toOcpiSession(record, []));
    assert.deepEqual([session.country_code, session.party_id, session.id, session.status, session.kwh, session.currency], ['DE', 'ABC', 'SESSION1', 'ACTIVE', 0, 'EUR']);
    assert.deepEqual(session.cdr_token, { country_code: 'DE', party_id: 'EMS', uid: '012345678', type: 'RFID', contract_id: 'DE-EMS-C12345678-X' });
    assert.deepEqual([session.location_id, session.evse_uid, session.connector_id, session.start_date_time, session.last_updated], ['LOC1', 'EVSE-1', '1', T0, T0]);
    assert.equal(session.total_cost, undefined);
    assert.deepEqual([record.role, record.periodCount, record.cpoFacts?.tariffId, record.cpoFacts?.tokenConnectionId], ['CPO', 0, 'TARIFF1', 'conn-emsp']);
  });

  test('without a tariff the default currency; PENDING and RESERVATION starts are kept', () => {
    assert.equal(aCpoSession({ tariff: undefined, defaultCurrency: 'CHF' }).ocpi.currency, 'CHF');
    assert.equal(aCpoSession({ start: aStart({ status: 'PENDING' }) }).ocpi.status, 'PENDING');
  });

  test('a repeated start is a replay only with the same fields', () => {
    assert.deepEqual(startDifferences(aStart(), aStart()), []);
    assert.deepEqual(startDifferences(aStart(), aStart({ evseUid: 'EVSE-2', meterId: 'M1' })), ['evse_uid', 'meter_id']);
  });
});

describe('a session at our charger: progress', () => {
  test('periods appended, kWh set, the price applied as total_cost', () => {
    const plan = changed(planProgress(aCpoSession(), { periods: [aPeriodAt(0), aPeriodAt(5)], kwh: 2.5, at: minutes(6) }, []));
    assert.deepEqual(plan.append, [aPeriodAt(0), aPeriodAt(5)]);
    assert.equal(plan.priceUntil, minutes(6));
    assert.deepEqual([plan.next.periodCount, plan.next.ocpi.kwh, plan.next.lastPeriod], [2, 2.5, aPeriodAt(5)]);
    const priced = withPrice(plan.next, price('0.6250', '0.7563'), { stateJson: '{"s":1}', statePeriodCount: 1, start: T0 });
    assert.deepEqual(priced.ocpi.total_cost, { excl_vat: 0.625, incl_vat: 0.7563 });
    assert.equal(withPrice(priced, undefined, undefined).ocpi.total_cost, undefined, 'no price: no total_cost');
  });

  test('the same report again, or an older one without new periods, changes nothing', () => {
    const once = progressed(aCpoSession());
    assert.deepEqual(planProgress(once, { periods: [aPeriodAt(0)], kwh: 1, at: minutes(1) }, [aPeriodAt(0)]), { kind: 'unchanged' });
    assert.deepEqual(planProgress(once, { periods: [], kwh: 0.5, at: minutes(0) }, []), { kind: 'unchanged' }, 'figures older than the stored ones');
    assert.throws(() => planProgress(once, { periods: [aPeriodAt(3)], at: minutes(0) }, []), errorOf('INVALID_ARGUMENT', /^at: .* before the figures already stored/));
  });

  test('a later `at` alone is a change to price (time-based tariffs)', () => {
    const once = progressed(aCpoSession());
    const later = changed(planProgress(once, { periods: [], at: minutes(9) }, []));
    assert.deepEqual([later.append, later.priceUntil, later.next.periodCount], [[], minutes(9), 1]);
  });

  test('periods out of order are refused naming the field', () => {
    const once = progressed(aCpoSession(), [aPeriodAt(0), aPeriodAt(5)], minutes(6));
    assert.throws(() => planProgress(once, { periods: [aPeriodAt(5, 9)], at: minutes(7) }, [aPeriodAt(5)]), errorOf('INVALID_ARGUMENT', /^charging_periods_json\[0\]\.start_date_time: .*out of order or overlapping/));
    assert.throws(() => planProgress(once, { periods: [aPeriodAt(8)], at: minutes(7) }, []), errorOf('INVALID_ARGUMENT', /^at: .* before the start of the last charging period/));
  });

  test('PENDING becomes ACTIVE: start_date_time moves to that moment and the pricing state is dropped', () => {
    const pending = withPrice(aCpoSession({ start: aStart({ status: 'PENDING' }) }), undefined, { stateJson: '{}', statePeriodCount: 0, start: T0 });
    const active = changed(planProgress(pending, { periods: [], status: 'ACTIVE', at: minutes(2) }, [])).next;
    assert.deepEqual([active.ocpi.status, active.ocpi.start_date_time, active.cpoFacts?.pricing], ['ACTIVE', minutes(2), undefined]);
    const reserved = aCpoSession({ start: aStart({ status: 'RESERVATION' }) });
    assert.equal(changed(planProgress(reserved, { periods: [], status: 'ACTIVE', at: minutes(2) }, [])).next.ocpi.start_date_time, T0, 'a reservation keeps its start');
  });

  test('status: only forward; COMPLETED and INVALID belong to ReportSessionEnded', () => {
    const active = aCpoSession();
    assert.throws(() => planProgress(active, { periods: [], status: 'PENDING', at: minutes(1) }, []), errorOf('FAILED_PRECONDITION', /ACTIVE session cannot become PENDING/));
    assert.throws(() => planProgress(active, { periods: [], status: 'COMPLETED', at: minutes(1) }, []), errorOf('INVALID_ARGUMENT', /^status: COMPLETED ends the session/));
  });
});

describe('a session at our charger: ended', () => {
  test('last periods, end, kWh and COMPLETED; nothing after it', () => {
    const once = progressed(aCpoSession());
    const end = changed(planEnd(once, { periods: [aPeriodAt(5)], kwh: 3, endDateTime: minutes(10), status: 'COMPLETED' }, []));
    assert.deepEqual([end.next.ocpi.status, end.next.ocpi.end_date_time, end.next.ocpi.kwh, end.next.periodCount, end.priceUntil], ['COMPLETED', minutes(10), 3, 2, minutes(10)]);
    assert.throws(() => planProgress(end.next, { periods: [], at: minutes(11) }, []), errorOf('FAILED_PRECONDITION', /is COMPLETED: no progress after it ended/));
  });

  test('the same end again changes nothing; another end is FAILED_PRECONDITION', () => {
    const ended = changed(planEnd(aCpoSession(), { periods: [aPeriodAt(0)], kwh: 3, endDateTime: minutes(10), status: 'COMPLETED' }, [])).next;
    assert.deepEqual(planEnd(ended, { periods: [aPeriodAt(0)], kwh: 3, endDateTime: minutes(10), status: 'COMPLETED' }, [aPeriodAt(0)]), { kind: 'unchanged' });
    assert.deepEqual(planEnd(ended, { periods: [], endDateTime: minutes(10), status: 'COMPLETED' }, []), { kind: 'unchanged' });
    assert.throws(() => planEnd(ended, { periods: [], endDateTime: minutes(11), status: 'COMPLETED' }, []), errorOf('FAILED_PRECONDITION', /ended already \(COMPLETED at .*\): a different end/));
    assert.throws(() => planEnd(ended, { periods: [aPeriodAt(9)], endDateTime: minutes(10), status: 'COMPLETED' }, []), errorOf('FAILED_PRECONDITION', /ended already/));
  });

  test('INVALID (not to be billed); periods after the end or an end before the start are refused', () => {
    assert.equal(changed(planEnd(aCpoSession(), { periods: [], endDateTime: minutes(1), status: 'INVALID' }, [])).next.ocpi.status, 'INVALID');
    assert.throws(() => planEnd(aCpoSession(), { periods: [aPeriodAt(20)], endDateTime: minutes(10), status: 'COMPLETED' }, []), errorOf('INVALID_ARGUMENT', /^charging_periods_json\[0\]\.start_date_time: .* after end_date_time/));
    assert.throws(() => planEnd(aCpoSession(), { periods: [], endDateTime: minutes(-1), status: 'COMPLETED' }, []), errorOf('INVALID_ARGUMENT', /^end_date_time: .* before the session's start/));
  });
});

describe('what counts as a change', () => {
  test('the times of a change and the pricing state are not; a price is', () => {
    const record = progressed(aCpoSession());
    assert.ok(sameSession(record, stamped(record, after(99))), 'stamping alone');
    assert.ok(sameSession(record, withPrice(record, undefined, { stateJson: 'x', statePeriodCount: 1, start: T0 })), 'a new resume state alone');
    assert.ok(!sameSession(record, withPrice(record, price('1.0000', '1.2100'), undefined)), 'a price');
  });
});
