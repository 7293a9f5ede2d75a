import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OcpiError } from '@voltmesh/ocpi';
import { ownCredentials211, ownParty211 } from './own-credentials.js';
import { interfaceRole211, ownEndpoints, ownEndpoints211 } from './own-platform.js';

const parties = [
  { role: 'CPO', countryCode: 'NL', partyId: 'VLT' },
  { role: 'EMSP', countryCode: 'NL', partyId: 'VLM' },
] as const;
const platform = { publicUrl: 'https://voltmesh.example', parties: [...parties], businessName: 'Voltmesh' };

describe('what a 2.1.1 partner sees of us', () => {
  test('the side opposite its role, without the modules 2.1.1 lacks', () => {
    const forCpo = ownEndpoints211([...parties], 'CPO');
    assert.deepEqual(forCpo.map((endpoint) => endpoint.path), ['credentials/', 'emsp/locations/', 'emsp/sessions/', 'emsp/cdrs/', 'emsp/tariffs/', 'emsp/tokens/', 'emsp/commands/']);
    const forEmsp = ownEndpoints211([...parties], 'EMSP');
    assert.deepEqual(forEmsp.map((endpoint) => endpoint.path), ['credentials/', 'cpo/locations/', 'cpo/sessions/', 'cpo/cdrs/', 'cpo/tariffs/', 'cpo/tokens/', 'cpo/commands/']);
    assert.ok(ownEndpoints([...parties]).some((endpoint) => endpoint.identifier === 'chargingprofiles'), '2.2.1 keeps charging profiles');
    assert.deepEqual(ownEndpoints211([parties[0]], 'CPO'), [], 'a CPO partner of a CPO-only platform has nothing to deal with');
  });

  test('its interface roles: those our endpoints have in its role', () => {
    assert.equal(interfaceRole211('CPO', 'locations'), 'SENDER');
    assert.equal(interfaceRole211('CPO', 'tokens'), 'RECEIVER');
    assert.equal(interfaceRole211('CPO', 'commands'), 'RECEIVER');
    assert.equal(interfaceRole211('EMSP', 'locations'), 'RECEIVER');
    assert.equal(interfaceRole211('EMSP', 'tokens'), 'SENDER');
    assert.equal(interfaceRole211('EMSP', 'credentials'), 'SENDER');
  });

  test('our flat credentials name our party of the opposite role', () => {
    assert.deepEqual(ownCredentials211(platform, 'tok', 'CPO'), {
      token: 'tok',
      url: 'https://voltmesh.example/ocpi/versions',
      business_details: { name: 'Voltmesh' },
      party_id: 'VLM',
      country_code: 'NL',
    });
    assert.equal(ownCredentials211(platform, 'tok', 'EMSP').party_id, 'VLT');
    // An eMSP-only platform has no CPO party to show a 2.1.1 eMSP partner.
    assert.throws(() => ownParty211({ ...platform, parties: [parties[1]] }, 'EMSP'), (error) => error instanceof OcpiError && /hosts no CPO party/.test(error.message));
  });
});
