import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cancel, evseStatusesReported, expire, reservationDueAt, reservationKey, reserve, type ReservationChange, type ReservationRecord, type Reserved } from './reservation.js';
import { after } from './test-builders.js';

const cpo = { countryCode: 'NL', partyId: 'VLT' };
const reserved = (overrides: Partial<Reserved> = {}): Reserved => ({
  newId: 'our-1',
  emspReservationId: 'R1',
  emsp: { countryCode: 'DE', partyId: 'EMS' },
  connectionId: 'conn-1',
  cpo,
  locationId: 'LOC1',
  evseUid: 'EVSE1',
  expiryDate: after(600).toISOString(),
  tokenUid: 'TOKEN1',
  commandId: 'cmd-1',
  ...overrides,
});
const BACKOFF = { baseMs: 1_000, maxMs: 60_000 };

function next(change: ReservationChange): ReservationRecord {
  assert.ok(change.changed, 'expected a change');
  return change.reservation;
}
const statuses = (reservation: ReservationRecord) => reservation.pendingEvseStatuses.map((pending) => `${pending.locationId}/${pending.evseUid}=${pending.status}@${pending.at}`);

describe('reservations our CPO holds', () => {
  test('a reservation gets our id, reserves its EVSE, and is due at its expiry; the same command again changes nothing', () => {
    const first = next(reserve(undefined, reserved(), after(0)));
    assert.equal(first.id, 'our-1');
    assert.equal(first.status, 'ACTIVE');
    assert.deepEqual(statuses(first), [`LOC1/EVSE1=RESERVED@${after(0).toISOString()}`]);
    assert.equal(reservationDueAt(first)?.getTime(), 0, 'the pending status is due now');
    assert.deepEqual(reserve(first, reserved({ newId: 'our-2' }), after(1)), { changed: false });
    assert.equal(reservationKey({ countryCode: 'de', partyId: 'ems' }, 'r1'), 'DE*EMS*R1');
  });

  test('the same id at the same location replaces it and keeps our id; a new EVSE frees the old one', () => {
    const made = next(reserve(undefined, reserved(), after(0)));
    const first = next(evseStatusesReported(made, made.pendingEvseStatuses, after(0), BACKOFF));
    assert.deepEqual(first.pendingEvseStatuses, []);
    assert.equal(reservationDueAt(first)?.toISOString(), after(600).toISOString());
    const replaced = next(reserve(first, reserved({ newId: 'our-2', commandId: 'cmd-2', evseUid: 'EVSE2', expiryDate: after(900).toISOString() }), after(10)));
    assert.equal(replaced.id, 'our-1');
    assert.equal(replaced.expiryDate, after(900).toISOString());
    assert.deepEqual(statuses(replaced), [`LOC1/EVSE1=AVAILABLE@${after(10).toISOString()}`, `LOC1/EVSE2=RESERVED@${after(10).toISOString()}`]);
    const cancelled = next(cancel(replaced, after(20)));
    const renewed = next(reserve(cancelled, reserved({ newId: 'our-3', commandId: 'cmd-3' }), after(30)));
    assert.equal(renewed.id, 'our-3', 'an ended reservation is not replaced: a new one gets a new id');
  });

  test('cancel and expiry end an active reservation once and free its EVSE (expiry dated at expiry_date)', () => {
    const active = next(reserve(undefined, reserved(), after(0)));
    const cancelled = next(cancel(active, after(20)));
    assert.equal(cancelled.status, 'CANCELLED');
    assert.deepEqual(statuses(cancelled), [`LOC1/EVSE1=AVAILABLE@${after(20).toISOString()}`], 'the unsent RESERVED is superseded');
    assert.deepEqual(cancel(cancelled, after(21)), { changed: false });
    assert.deepEqual(expire(cancelled, after(900)), { changed: false });

    assert.deepEqual(expire(active, after(599)), { changed: false }, 'not yet');
    const expired = next(expire(active, after(605)));
    assert.equal(expired.status, 'EXPIRED');
    assert.deepEqual(statuses(expired), [`LOC1/EVSE1=AVAILABLE@${after(600).toISOString()}`]);
    assert.deepEqual(expire(expired, after(700)), { changed: false });
    const withoutEvse = next(expire(next(reserve(undefined, reserved({ evseUid: '' }), after(0))), after(600)));
    assert.deepEqual(withoutEvse.pendingEvseStatuses, [], 'no EVSE, nothing to free');
  });

  test('statuses locations did not take stay pending with a growing, capped backoff', () => {
    const active = next(reserve(undefined, reserved(), after(0)));
    const once = next(evseStatusesReported(active, [], after(0), BACKOFF));
    assert.equal(once.evseAttempts, 1);
    assert.equal(once.evseRetryAt, after(1).toISOString());
    assert.equal(reservationDueAt(once)?.toISOString(), after(1).toISOString());
    const twice = next(evseStatusesReported(once, [], after(1), BACKOFF));
    assert.equal(twice.evseRetryAt, after(3).toISOString());
    let many = twice;
    for (let attempt = 0; attempt < 10; attempt += 1) many = next(evseStatusesReported(many, [], after(0), BACKOFF));
    assert.equal(many.evseRetryAt, after(60).toISOString(), 'capped');
    const done = next(evseStatusesReported(many, many.pendingEvseStatuses, after(70), BACKOFF));
    assert.deepEqual([done.pendingEvseStatuses, done.evseAttempts, done.evseRetryAt], [[], 0, '']);
  });
});
