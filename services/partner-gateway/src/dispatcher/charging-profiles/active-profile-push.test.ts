import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { chargingProfileService } from '@voltmesh/proto';
import type { Connection } from '../../domain/connection.js';
import type { PushJob } from '../push/index.js';
import { activeProfilePush } from './active-profile-push.js';

const emspConnection = (overrides: Partial<Connection> = {}): Connection => ({
  id: 'emsp-1',
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [
    { role: 'EMSP', countryCode: 'DE', partyId: 'EMS', businessName: 'x' },
    { role: 'CPO', countryCode: 'DE', partyId: 'CPO', businessName: 'x' },
  ],
  endpoints: [
    // The same partner's CPO side receives profiles; its eMSP side (SENDER) receives our pushes.
    { module: 'chargingprofiles', interfaceRole: 'RECEIVER', url: 'https://partner.example/cpo/chargingprofiles/' },
    { module: 'chargingprofiles', interfaceRole: 'SENDER', url: 'https://partner.example/emsp/chargingprofiles/' },
  ],
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});
const active = { start_date_time: '2026-05-01T10:00:00Z', charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 11000 }] } };
const change = (overrides: Partial<chargingProfileService.ActiveProfileChanged> = {}) =>
  chargingProfileService.ActiveProfileChanged.fromPartial({
    cpo: { countryCode: 'NL', partyId: 'VLT' },
    sessionId: 'S-1',
    connectionId: 'emsp-1',
    emsp: { countryCode: 'DE', partyId: 'EMS' },
    activeProfileJson: JSON.stringify(active),
    revision: '7',
    ...overrides,
  });
const asJob = (result: PushJob | { skipped: string }): PushJob => {
  assert.ok(!('skipped' in result), `expected a job, got ${JSON.stringify(result)}`);
  return result;
};

describe('pushes of ActiveChargingProfiles to the eMSP that set a profile', () => {
  test('a PUT of the profile to the connection’s chargingprofiles SENDER endpoint, coalesced per session, addressed CPO → eMSP', () => {
    const job = asJob(activeProfilePush(change(), emspConnection(), 'corr-1'));
    assert.deepEqual(job, {
      partnerId: 'emsp-1',
      objectKey: 'chargingprofiles:NL*VLT*S-1',
      version: '1970-01-01T00:00:00.000Z#0000000000000007',
      method: 'PUT',
      url: 'https://partner.example/emsp/chargingprofiles/S-1',
      body: { start_date_time: '2026-05-01T10:00:00.000Z', charging_profile: active.charging_profile },
      routing: { from: { countryCode: 'NL', partyId: 'VLT' }, to: { countryCode: 'DE', partyId: 'EMS' } },
      correlationId: 'corr-1',
    });
  });

  test('versions follow the revision, never the clock: a replayed older change is older', () => {
    const versions = ['9', '10', '123456789'].map((revision) => asJob(activeProfilePush(change({ revision }), emspConnection(), 'c')).version);
    assert.deepEqual([...versions].sort(), versions, 'string order is revision order');
    assert.equal(asJob(activeProfilePush(change({ revision: '9' }), emspConnection(), 'later')).version, versions[0], 'the same change is the same version');
  });

  test('a connection that is gone or has no SENDER endpoint is skipped with the reason', () => {
    assert.deepEqual(activeProfilePush(change(), undefined, 'c'), { skipped: 'connection emsp-1 is not registered' });
    assert.deepEqual(activeProfilePush(change(), emspConnection({ state: 'UNREGISTERED' }), 'c'), { skipped: 'connection emsp-1 is not registered' });
    const receiverOnly = emspConnection({ endpoints: [{ module: 'chargingprofiles', interfaceRole: 'RECEIVER', url: 'https://partner.example/cpo/chargingprofiles/' }] });
    assert.deepEqual(activeProfilePush(change(), receiverOnly, 'c'), { skipped: 'connection emsp-1 offers no chargingprofiles SENDER endpoint' });
  });

  test('a malformed change is INVALID_ARGUMENT naming the field (the consumer’s DLQ)', () => {
    const cases: Array<[string, Partial<chargingProfileService.ActiveProfileChanged>, RegExp]> = [
      ['no revision', { revision: '0' }, /^ActiveProfileChanged\.revision:/],
      ['no session', { sessionId: '' }, /^ActiveProfileChanged\.session_id: required/],
      ['no eMSP', { emsp: undefined }, /^ActiveProfileChanged\.emsp: required/],
      ['no CPO', { cpo: undefined }, /^ActiveProfileChanged\.cpo: required/],
      ['no connection', { connectionId: '' }, /^ActiveProfileChanged\.connection_id: required/],
      ['a profile that is not one', { activeProfileJson: JSON.stringify({ charging_profile: active.charging_profile }) }, /^ActiveProfileChanged\.active_profile_json: start_date_time:/],
      ['not JSON', { activeProfileJson: '{' }, /^ActiveProfileChanged\.active_profile_json: not JSON/],
    ];
    for (const [what, overrides, pattern] of cases) {
      assert.throws(
        () => activeProfilePush(change(overrides), emspConnection(), 'c'),
        (error: unknown) => error instanceof AppError && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message),
        what,
      );
    }
  });
});
