import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '@voltmesh/errors';
import type { Session } from '@voltmesh/ocpi';
import { sessions } from '@voltmesh/proto';
import { aCdrLocation, aSession, aTariff } from '@voltmesh/testing';
import { completedCpoSession } from './session-input.js';

const event = (overrides: Partial<Session> = {}, fields: Partial<sessions.Session> = {}) => {
  const session = aSession({ status: 'COMPLETED', end_date_time: '2026-01-01T11:00:00.000Z', ...overrides });
  return sessions.Session.fromPartial({
    role: sessions.SessionRole.SESSION_ROLE_CPO,
    ocpiJson: JSON.stringify(session),
    cpo: { countryCode: 'DE', partyId: 'ABC' },
    id: session.id,
    status: session.status,
    cdrLocationJson: JSON.stringify(aCdrLocation()),
    tariffJson: JSON.stringify(aTariff()),
    timeZone: 'Europe/Berlin',
    ...fields,
  });
};
const invalidArgument = (field: RegExp) => (error: unknown) => isAppError(error) && error.code === 'INVALID_ARGUMENT' && field.test(error.message);

describe('which session events our CPO bills', () => {
  test('a COMPLETED CPO session, with its snapshots', () => {
    const input = completedCpoSession(event());
    assert.ok(input, 'billed');
    assert.deepEqual([input.session.id, input.session.end_date_time, input.tariff?.id, input.cdrLocation.id, input.timeZone], ['SESSION1', '2026-01-01T11:00:00.000Z', 'TARIFF1', 'LOC1', 'Europe/Berlin']);
    assert.equal(completedCpoSession(event({}, { tariffJson: '' }))?.tariff, undefined, 'no tariff snapshot: none');
  });

  test('INVALID, ACTIVE, PENDING, RESERVATION and eMSP-role sessions are not billed', () => {
    for (const status of ['INVALID', 'ACTIVE', 'PENDING', 'RESERVATION'] as const) {
      assert.equal(completedCpoSession(event({ status }, { status })), undefined, status);
    }
    assert.equal(completedCpoSession(event({ status: 'INVALID' }, { status: 'COMPLETED' })), undefined, 'the OCPI status decides, not its copy');
    assert.equal(completedCpoSession(event({}, { role: sessions.SessionRole.SESSION_ROLE_EMSP })), undefined);
  });

  test('a COMPLETED session that cannot make a CDR is INVALID_ARGUMENT naming the field', () => {
    assert.throws(() => completedCpoSession(event({ end_date_time: undefined })), invalidArgument(/end_date_time: a COMPLETED session needs one/));
    assert.throws(() => completedCpoSession(event({}, { cdrLocationJson: '' })), invalidArgument(/cdr_location_json: required/));
    assert.throws(() => completedCpoSession(event({}, { cdrLocationJson: '{"id":"L"}' })), invalidArgument(/cdr_location_json: address/));
    assert.throws(() => completedCpoSession(event({}, { tariffJson: '{' })), invalidArgument(/tariff_json: not JSON/));
    assert.throws(() => completedCpoSession(event({}, { ocpiJson: '{}' })), invalidArgument(/ocpi_json: /));
  });
});
