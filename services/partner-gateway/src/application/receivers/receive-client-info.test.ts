import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OcpiError, type ClientInfo } from '@voltmesh/ocpi';
import type { Connection } from '../../domain/connection.js';
import type { Caller } from '../partner-registers.js';
import { readClientInfo, receiveClientInfo } from './receive-client-info.js';

const caller = (role: string): Caller => ({
  token: 't',
  connection: {
    id: `conn-${role}`,
    state: 'REGISTERED',
    initiator: 'PARTNER',
    authMode: 'base64',
    roles: [{ role, countryCode: 'NL', partyId: 'HUB', businessName: 'x' }],
    endpoints: [],
    createdAt: new Date(),
    updatedAt: new Date(),
  } as Connection,
});
const info: ClientInfo = { country_code: 'DE', party_id: 'EMS', role: 'EMSP', status: 'OFFLINE', last_updated: '2026-11-01T10:00:00.000Z' };

function aStore() {
  const held = new Map<string, ClientInfo>();
  return {
    held,
    put: async (hub: string, value: ClientInfo) => {
      held.set(`${hub}|${value.country_code}*${value.party_id}`, value);
      return true;
    },
    get: async (hub: string, countryCode: string, partyId: string) => {
      const value = held.get(`${hub}|${countryCode}*${partyId}`);
      return value ? { _id: '', hub_connection_id: hub, party_key: '', info: value, received_at: new Date() } : undefined;
    },
  };
}

const statusOf = async (run: () => Promise<unknown>) => {
  try {
    await run();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof OcpiError, `an OCPI error, got ${String(error)}`);
    return { status: error.ocpiStatus, http: error.httpStatus, message: error.message };
  }
};

describe('HubClientInfo Receiver', () => {
  test('a hub PUTs a party status and reads it back', async () => {
    const store = aStore();
    await receiveClientInfo(store, caller('HUB'), { countryCode: 'DE', partyId: 'EMS' }, info, new Date());
    assert.deepEqual(await readClientInfo(store, caller('HUB'), { countryCode: 'DE', partyId: 'EMS' }), info);
  });

  test('refused: a caller without a HUB role (404), a body naming another party or without status (2001), an unknown party on GET (404)', async () => {
    const store = aStore();
    assert.deepEqual((await statusOf(() => receiveClientInfo(store, caller('CPO'), { countryCode: 'DE', partyId: 'EMS' }, info, new Date())))?.http, 404);
    const other = await statusOf(() => receiveClientInfo(store, caller('HUB'), { countryCode: 'DE', partyId: 'XYZ' }, info, new Date()));
    assert.equal(other?.status, 2001);
    assert.match(other?.message ?? '', /party_id/);
    const missing = await statusOf(() => receiveClientInfo(store, caller('HUB'), { countryCode: 'DE', partyId: 'EMS' }, { ...info, status: 'GONE' }, new Date()));
    assert.equal(missing?.status, 2001);
    assert.match(missing?.message ?? '', /status/);
    assert.equal(store.held.size, 0, 'nothing stored from a refused request');
    assert.equal((await statusOf(() => readClientInfo(store, caller('HUB'), { countryCode: 'DE', partyId: 'EMS' })))?.http, 404);
  });
});
