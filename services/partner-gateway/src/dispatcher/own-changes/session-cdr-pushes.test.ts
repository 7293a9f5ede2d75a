import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aCdr, aSession } from '@voltmesh/testing';
import type { Connection } from '../../domain/connection.js';
import { cdrPush } from './cdr-pushes.js';
import { partyTarget } from './push-targets.js';
import { sessionPush } from './session-pushes.js';

const connection = (id: string, role: 'EMSP' | 'HUB' | 'CPO', party: string, overrides: Partial<Connection> = {}): Connection => ({
  id,
  state: 'REGISTERED',
  initiator: 'PARTNER',
  authMode: 'base64',
  roles: [{ role, countryCode: 'DE', partyId: party, businessName: 'x' }],
  endpoints: [
    { module: 'sessions', interfaceRole: 'RECEIVER', url: `https://${id}.example/ocpi/2.2.1/sessions/` },
    { module: 'cdrs', interfaceRole: 'RECEIVER', url: `https://${id}.example/ocpi/2.2.1/cdrs/` },
  ],
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});

describe('pushes of our sessions and CDRs to the eMSP of the token', () => {
  test('the target is the connection holding the eMSP party; a hub only when no direct connection has it', () => {
    const ems = { countryCode: 'de', partyId: 'ems' };
    const direct = connection('direct', 'EMSP', 'EMS');
    const hub = connection('hub', 'HUB', 'HUB');
    assert.equal(partyTarget([hub, direct], 'sessions', ems)?.partnerId, 'direct');
    assert.deepEqual(partyTarget([hub, connection('other', 'EMSP', 'OTH')], 'cdrs', ems), {
      partnerId: 'hub',
      endpointUrl: 'https://hub.example/ocpi/2.2.1/cdrs/',
      to: { countryCode: 'DE', partyId: 'EMS' },
      version: '2.2.1',
    });
    assert.equal(partyTarget([connection('cpo', 'CPO', 'EMS'), connection('gone', 'EMSP', 'EMS', { state: 'UNREGISTERED' })], 'sessions', ems), undefined);
    assert.equal(partyTarget([connection('nocdrs', 'EMSP', 'EMS', { endpoints: [] })], 'cdrs', ems), undefined);
    // The hub reports the party OFFLINE (HubClientInfo): nothing goes through it.
    assert.equal(partyTarget([hub], 'sessions', ems, () => false), undefined);
    assert.equal(partyTarget([direct], 'sessions', ems, () => false)?.partnerId, 'direct', 'a direct connection does not ask the hub');
  });

  test('a session is a whole PUT under the CPO party address, appending charging periods, versioned by revision', () => {
    const target = { partnerId: 'direct', endpointUrl: 'https://direct.example/ocpi/2.2.1/sessions/', to: { countryCode: 'DE', partyId: 'EMS' }, version: '2.2.1' };
    const session = aSession({ id: 'S-1', last_updated: '2026-03-01T10:00:00.000Z' });
    const job = sessionPush({ session, revision: '7', correlationId: 'c' }, target);
    assert.equal(job.method, 'PUT');
    assert.equal(job.url, 'https://direct.example/ocpi/2.2.1/sessions/DE/ABC/S-1');
    assert.equal(job.appendList, 'charging_periods');
    assert.equal(job.objectKey, 'sessions:DE*ABC*S-1');
    assert.equal(job.version, '2026-03-01T10:00:00.000Z#0000000000000007');
    assert.ok(job.version < sessionPush({ session, revision: '8', correlationId: 'c' }, target).version, 'a later revision is a newer state');
    assert.deepEqual(job.routing, { from: { countryCode: 'DE', partyId: 'ABC' }, to: { countryCode: 'DE', partyId: 'EMS' } });
  });

  test('a CDR is POSTed to the endpoint itself, one version per CDR (a replay is stale, never a second POST)', () => {
    const target = { partnerId: 'direct', endpointUrl: 'https://direct.example/ocpi/2.2.1/cdrs/', to: { countryCode: 'DE', partyId: 'EMS' }, version: '2.2.1' };
    const job = cdrPush({ cdr: aCdr(), correlationId: 'c' }, target);
    assert.equal(job.method, 'POST');
    assert.equal(job.url, 'https://direct.example/ocpi/2.2.1/cdrs/');
    assert.equal(job.objectKey, 'cdrs:DE*ABC*CDR1');
    assert.equal(job.version, cdrPush({ cdr: aCdr(), correlationId: 'other' }, target).version);
    assert.equal(job.appendList, undefined);
  });
});
