import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aLocation, aTariff, anEvse } from '@voltmesh/testing';
import type { Connection } from '../../domain/connection.js';
import { locationPush, newestLocationChanges } from './location-pushes.js';
import { pushTargets, type PushTarget } from './push-targets.js';
import { tariffPush } from './tariff-pushes.js';

const connection = (id: string, overrides: Partial<Connection> = {}): Connection => ({
  id,
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [
    { role: 'CPO', countryCode: 'DE', partyId: 'CPO', businessName: 'x' },
    { role: 'EMSP', countryCode: 'DE', partyId: 'EMS', businessName: 'x' },
  ],
  endpoints: [{ module: 'locations', interfaceRole: 'RECEIVER', url: 'https://partner.example/ocpi/2.2.1/locations/' }],
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});

const target: PushTarget = { partnerId: 'p1', endpointUrl: 'https://partner.example/ocpi/2.2.1/locations/', to: { countryCode: 'DE', partyId: 'EMS' }, version: '2.2.1' };
const location = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'LOC1', evses: [anEvse({ uid: 'E1', status: 'CHARGING', last_updated: '2026-02-01T10:00:00.000Z' })], last_updated: '2026-02-01T10:00:00.000Z' });

describe('pushes of our own changes', () => {
  test('targets: registered partners with the module as Receiver, addressed to their eMSP role', () => {
    const targets = pushTargets(
      [
        connection('p1'),
        connection('p2', { state: 'UNREGISTERED' }),
        connection('p3', { endpoints: [{ module: 'locations', interfaceRole: 'SENDER', url: 'https://x/' }] }),
        connection('p4', { endpoints: [{ module: 'tariffs', interfaceRole: 'RECEIVER', url: 'https://t/' }] }),
      ],
      'locations',
    );
    assert.deepEqual(targets, [target]);
  });

  test('one EVSE status change is a PATCH of status and last_updated, with routing headers from our party', () => {
    const job = locationPush({ location, statusChanges: [{ evse_uid: 'E1', status: 'CHARGING', last_updated: '2026-02-01T10:00:00.000Z' }], sequence: '42', correlationId: 'c' }, target, false);
    assert.equal(job.method, 'PATCH');
    assert.equal(job.url, 'https://partner.example/ocpi/2.2.1/locations/NL/VLT/LOC1/E1');
    assert.deepEqual(job.body, { status: 'CHARGING', last_updated: '2026-02-01T10:00:00.000Z' });
    assert.deepEqual(job.routing, { from: { countryCode: 'NL', partyId: 'VLT' }, to: { countryCode: 'DE', partyId: 'EMS' } });
    assert.equal(job.objectKey, 'locations:NL*VLT*LOC1');
    assert.equal(job.version, '2026-02-01T10:00:00.000Z#0000000000000042');
  });

  test('a status change while an earlier state still waits for the partner is the whole location, so nothing pending is lost', () => {
    const job = locationPush({ location, statusChanges: [{ evse_uid: 'E1', status: 'CHARGING', last_updated: location.last_updated }], sequence: '43', correlationId: 'c' }, target, true);
    assert.equal(job.method, 'PUT');
    assert.equal(job.url, 'https://partner.example/ocpi/2.2.1/locations/NL/VLT/LOC1');
    assert.equal(job.body, location);
  });

  test('other changes, and several statuses at once, are PUTs of the whole location; later events order after earlier ones', () => {
    const whole = locationPush({ location, statusChanges: [], sequence: '7', correlationId: 'c' }, target, false);
    const two = locationPush({ location, statusChanges: [{ evse_uid: 'E1', status: 'A', last_updated: 'x' }, { evse_uid: 'E2', status: 'B', last_updated: 'x' }], sequence: '8', correlationId: 'c' }, target, false);
    assert.equal(whole.method, 'PUT');
    assert.equal(two.method, 'PUT');
    assert.ok(whole.version < two.version, 'same last_updated: the Kafka offset orders them');
  });

  test('tariffs: PUT the tariff, DELETE it after a deletion (ordered after the PUT of the same instant)', () => {
    const tariff = aTariff({ country_code: 'NL', party_id: 'VLT', id: 'T1' });
    const tariffTarget = { ...target, endpointUrl: 'https://partner.example/ocpi/2.2.1/tariffs' };
    const put = tariffPush({ tariff, deleted: false, sequence: '1', correlationId: 'c' }, tariffTarget);
    const removal = tariffPush({ tariff, deleted: true, sequence: '2', correlationId: 'c' }, tariffTarget);
    assert.deepEqual([put.method, put.url], ['PUT', 'https://partner.example/ocpi/2.2.1/tariffs/NL/VLT/T1']);
    assert.deepEqual([removal.method, removal.body], ['DELETE', undefined]);
    assert.ok(put.version < removal.version, 'put.version < removal.version');
    assert.equal(put.objectKey, removal.objectKey);
  });

  test('a batch keeps each location\'s newest change; one standing for several goes as a PUT, a lone status change stays a PATCH', () => {
    const other = aLocation({ country_code: 'NL', party_id: 'VLT', id: 'LOC2', last_updated: '2026-02-01T10:00:00.000Z' });
    const status = (evse: string, value: string) => [{ evse_uid: evse, status: value, last_updated: '2026-02-01T10:00:00.000Z' }];
    const newest = newestLocationChanges([
      { location, statusChanges: status('E1', 'CHARGING'), sequence: '7', correlationId: 'a' },
      { location: other, statusChanges: status('E9', 'BLOCKED'), sequence: '8', correlationId: 'b' },
      { location, statusChanges: status('E2', 'AVAILABLE'), sequence: '12', correlationId: 'c' },
    ]);
    assert.deepEqual(newest.map((change) => [change.location.id, change.sequence, change.statusChanges.length]), [['LOC1', '12', 0], ['LOC2', '8', 1]]);
    assert.equal(locationPush(newest[0]!, target, false).method, 'PUT', 'two changes of LOC1: the whole location');
    assert.equal(locationPush(newest[1]!, target, false).method, 'PATCH', 'one status change of LOC2: an EVSE PATCH');
  });
});
