import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideInbound, type InboundFacts } from './inbound-decision.js';
import { after, T0 } from './test-builders.js';

const facts = (overrides: Partial<InboundFacts> = {}): InboundFacts => ({
  now: new Date(T0),
  timeoutSeconds: 30,
  sessionHeld: false,
  reservationHeld: false,
  activeReservationLocation: undefined,
  ...overrides,
});
const command = (type: 'START_SESSION' | 'STOP_SESSION' | 'RESERVE_NOW' | 'CANCEL_RESERVATION' | 'UNLOCK_CONNECTOR', expiryDate = '', locationId = 'LOC1') => ({ type, expiryDate, locationId, reservationId: 'R1' });

describe('how our CPO answers a partner command', () => {
  test('ACCEPTED with the announced timeout and a deadline after it', () => {
    for (const type of ['START_SESSION', 'UNLOCK_CONNECTOR'] as const) {
      assert.deepEqual(decideInbound(command(type), facts()), {
        state: 'ACCEPTED',
        response: { result: 'ACCEPTED', timeout: 30, message: [] },
        resultJson: '',
        deadline: after(30).toISOString(),
      });
    }
    assert.equal(decideInbound(command('STOP_SESSION'), facts({ sessionHeld: true })).state, 'ACCEPTED');
    assert.equal(decideInbound(command('CANCEL_RESERVATION'), facts({ reservationHeld: true })).state, 'ACCEPTED');
  });

  test('STOP_SESSION of a session this eMSP does not hold: UNKNOWN_SESSION, final', () => {
    const decision = decideInbound(command('STOP_SESSION'), facts());
    assert.equal(decision.state, 'UNKNOWN_SESSION');
    assert.equal(decision.response.result, 'UNKNOWN_SESSION');
    assert.equal(decision.deadline, '');
  });

  test('CANCEL_RESERVATION of a reservation this eMSP does not hold: ACCEPTED and completed with UNKNOWN_RESERVATION', () => {
    const decision = decideInbound(command('CANCEL_RESERVATION'), facts());
    assert.equal(decision.state, 'COMPLETED');
    assert.equal(decision.response.result, 'ACCEPTED');
    assert.deepEqual(JSON.parse(decision.resultJson), { result: 'UNKNOWN_RESERVATION', message: [] });
  });

  test('RESERVE_NOW expiring in the past, or moving an active reservation id to another location: REJECTED saying why', () => {
    const past = decideInbound(command('RESERVE_NOW', after(-1).toISOString()), facts());
    assert.equal(past.state, 'REJECTED');
    assert.match(past.response.message[0]?.text ?? '', /expiry_date .* is in the past/);
    const moved = decideInbound(command('RESERVE_NOW', after(600).toISOString()), facts({ activeReservationLocation: 'LOC2' }));
    assert.equal(moved.state, 'REJECTED');
    assert.match(moved.response.message[0]?.text ?? '', /active at another location/);
    assert.equal(decideInbound(command('RESERVE_NOW', after(600).toISOString()), facts({ activeReservationLocation: 'LOC1' })).state, 'ACCEPTED', 'same location replaces');
  });
});
