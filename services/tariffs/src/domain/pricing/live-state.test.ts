/*
 * The live-pricing state comes back from outside: every way it can be wrong is refused with
 * INVALID_ARGUMENT naming state_json, and so are updates that do not fit the settled periods.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '@voltmesh/errors';
import { withCheck, type StateContent } from './live-state.js';
import { priceSessionLive } from './index.js';
import { aComponent, anElement, aPeriod, aTariffInput } from './test-builders.js';
import type { PriceLiveSessionInput } from './types.js';

const tariff = aTariffInput({
  elements: [
    anElement([aComponent('ENERGY', '0.30', { step_size: 500 }), aComponent('TIME', '1.00', { step_size: 900 })], { start_time: '08:00', end_time: '18:00' }),
    anElement([aComponent('ENERGY', '0.25', { vat: 10, step_size: 1000 })]),
  ],
});
const periods = [
  aPeriod('2024-06-03T05:00:00Z', { energy: 2, time: 0.5 }),
  aPeriod('2024-06-03T05:30:00Z', { energy: 3, time: 0.5 }),
  aPeriod('2024-06-03T06:00:00Z', { energy: 1.5, time: 0.25 }),
];
const session: PriceLiveSessionInput = {
  tariff,
  charging_periods: periods,
  start_date_time: '2024-06-03T05:00:00Z',
  end_date_time: '2024-06-03T06:15:00Z',
  time_zone: 'Europe/Amsterdam',
};
/** The state after the first three periods: two settled, the third still open. */
const first = priceSessionLive(session);
const next = aPeriod('2024-06-03T06:15:00Z', { energy: 1, time: 0.25 });
const resume = (more: Partial<PriceLiveSessionInput>): PriceLiveSessionInput => ({
  ...session,
  charging_periods: [...periods.slice(first.state_period_count), next],
  end_date_time: '2024-06-03T06:30:00Z',
  state_json: first.state_json,
  ...more,
});

/** Asserts an INVALID_ARGUMENT whose message matches. */
function refused(input: PriceLiveSessionInput, message: RegExp): void {
  assert.throws(
    () => priceSessionLive(input),
    (e: unknown) => isAppError(e) && e.code === 'INVALID_ARGUMENT' && message.test(e.message),
    `expected INVALID_ARGUMENT matching ${String(message)}`,
  );
}

/** The first state's content changed by `edit`, with a check that matches the change (a forged state). */
function forged(edit: (content: StateContent) => void): string {
  const content = JSON.parse(first.state_json) as StateContent & { check?: string };
  delete content.check;
  edit(content);
  return withCheck(content);
}

/** The first state's JSON changed by `edit` and left with its old check (an altered state). */
function altered(edit: (state: Record<string, unknown>) => void): string {
  const state = JSON.parse(first.state_json) as Record<string, unknown>;
  edit(state);
  return JSON.stringify(state);
}

test('a resumed update is accepted and settles one more period', () => {
  assert.equal(first.state_period_count, 2, 'all periods but the last are settled');
  const resumed = priceSessionLive(resume({}));
  assert.equal(resumed.state_period_count, 3, 'the third period is settled now');
  assert.deepEqual(resumed.pricing.periods.map((p) => p.index), [2, 3], 'the breakdown names the session indices of the periods given');
  const whole = priceSessionLive({ ...session, charging_periods: [...periods, next], end_date_time: '2024-06-03T06:30:00Z' });
  assert.equal(resumed.pricing.total_cost.incl_vat, whole.pricing.total_cost.incl_vat, 'same total as pricing all four periods');
});

describe('a malformed state is INVALID_ARGUMENT naming state_json', () => {
  test('not JSON, not an object, too long', () => {
    refused(resume({ state_json: '{"v":1,' }), /^state_json: not JSON/);
    refused(resume({ state_json: '[1,2]' }), /^state_json: not a pricing state/);
    refused(resume({ state_json: '"state"' }), /^state_json: not a pricing state/);
    refused(resume({ state_json: `{"v":1,"pad":"${'x'.repeat(20_000)}"}` }), /^state_json: longer than 16384 characters/);
  });

  test('another version', () => {
    refused(resume({ state_json: altered((s) => (s['v'] = 2)) }), /^state_json: version 2 is not supported \(this service reads 1\)/);
  });

  test('a missing, extra or ill-typed field, named by its path', () => {
    refused(resume({ state_json: altered((s) => delete s['energy']) }), /^state_json: energy:/);
    refused(resume({ state_json: altered((s) => (s['extra'] = true)) }), /^state_json: .*extra/);
    refused(resume({ state_json: altered((s) => (s['energy'] = '1e3')) }), /^state_json: energy: must be a plain decimal number/);
    refused(resume({ state_json: altered((s) => (s['period_count'] = -1)) }), /^state_json: period_count:/);
    refused(resume({ state_json: altered((s) => (s['settled_end_ms'] = null)) }), /^state_json: settled_end_ms: must be set exactly when periods are settled/);
  });

  test('a value changed after it was sealed (its check no longer matches)', () => {
    refused(resume({ state_json: altered((s) => (s['energy'] = '4')) }), /^state_json: altered or corrupted/);
    refused(resume({ state_json: altered((s) => (s['period_count'] = 1)) }), /^state_json: altered or corrupted/);
    refused(resume({ state_json: altered((s) => (s['check'] = 'x')) }), /^state_json: altered or corrupted/);
  });

  test('a component the tariff does not have, or of the wrong dimension', () => {
    refused(resume({ state_json: forged((c) => (c.steps.ENERGY.last = [7, 0])) }), /^state_json: steps\.ENERGY\.last names no ENERGY component of this tariff/);
    refused(resume({ state_json: forged((c) => (c.steps.ENERGY.last = [0, 1])) }), /^state_json: steps\.ENERGY\.last names no ENERGY component/);
  });
});

describe("a state of another session is refused: state_json does not belong to this session's tariff/start/zone", () => {
  const mismatch = /^state_json does not belong to this session's tariff\/start\/zone$/;

  test('another tariff, or the same one with another price', () => {
    refused(resume({ tariff: { ...tariff, id: 'T2' } }), mismatch);
    refused(resume({ tariff: aTariffInput({ elements: [...tariff.elements.slice(0, 1), anElement([aComponent('ENERGY', '0.26', { vat: 10, step_size: 1000 })])] }) }), mismatch);
  });

  test('another start, another zone, reservation expired or not', () => {
    refused(resume({ start_date_time: '2024-06-03T04:59:00Z' }), mismatch);
    refused(resume({ time_zone: 'Europe/Berlin' }), mismatch);
    refused(resume({ reservation_expired: true }), mismatch);
  });

  test('the same tariff written differently is the same session', () => {
    const rewritten = { ...tariff, elements: tariff.elements.map((el) => ({ ...el, price_components: el.price_components.map((c) => ({ ...c, price: Number(c.price) })) })) };
    assert.equal(priceSessionLive(resume({ tariff: rewritten })).state_period_count, 3, '"0.30" and 0.3 are the same price');
  });
});

describe('the periods of a resumed update must continue the settled ones', () => {
  test('a period starting before the end of the settled periods', () => {
    const early = aPeriod('2024-06-03T05:59:00Z', { energy: 1.5, time: 0.25 });
    refused(resume({ charging_periods: [early, next] }), /^cannot price this session: charging period 2 starts at 2024-06-03T05:59:00(\.000)?Z, before the end of the settled periods \(2024-06-03T06:00:00(\.000)?Z\)/);
  });

  test('a resumed update without periods', () => {
    refused(resume({ charging_periods: [] }), /a resumed update needs the periods from index 2 on/);
  });

  test('periods out of order are named by their session index', () => {
    const late = aPeriod('2024-06-03T06:20:00Z', { energy: 1 });
    refused(resume({ charging_periods: [periods[2] ?? next, late, next] }), /charging period 4 starts before period 3/);
  });
});
