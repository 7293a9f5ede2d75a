import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aConnector, aLocation, anEvse } from '@voltmesh/testing';
import { chargingPoint, knownZone } from './cdr-location.js';

describe('the CdrLocation snapshot of a charging point', () => {
  test('the location, EVSE and connector as a CDR carries them; an EVSE without evse_id is named by its uid', () => {
    const location = aLocation({ name: 'Depot', evses: [anEvse({ evse_id: 'DE*ABC*E1', connectors: [aConnector({ id: '2', tariff_ids: ['T1'] })] }), anEvse({ uid: 'EVSE-2' })] });
    const point = chargingPoint(location, 'evse-1', '2');
    assert.deepEqual(JSON.parse(JSON.stringify(point.cdrLocation)), {
      id: 'LOC1',
      name: 'Depot',
      address: 'Street 1',
      city: 'Berlin',
      country: 'DEU',
      coordinates: { latitude: '52.52000', longitude: '13.40500' },
      evse_uid: 'EVSE-1',
      evse_id: 'DE*ABC*E1',
      connector_id: '2',
      connector_standard: 'IEC_62196_T2',
      connector_format: 'SOCKET',
      connector_power_type: 'AC_3_PHASE',
    });
    assert.deepEqual(point.connector.tariff_ids, ['T1']);
    assert.equal(point.timeZone, 'Europe/Berlin');
    assert.equal(chargingPoint(location, 'EVSE-2', '1').cdrLocation.evse_id, 'EVSE-2');
  });

  test('texts longer than CdrLocation allows are cut to fit (address 45, state 20)', () => {
    const point = chargingPoint(aLocation({ address: 'A'.repeat(100), state: 'S'.repeat(40) }), 'EVSE-1', '1');
    assert.equal(point.cdrLocation.address.length, 45);
    assert.equal(point.cdrLocation.state?.length, 20);
  });

  test('an unknown EVSE or connector is FAILED_PRECONDITION naming it', () => {
    assert.throws(() => chargingPoint(aLocation(), 'EVSE-9', '1'), (error: Error & { code?: string }) => error.code === 'FAILED_PRECONDITION' && /^evse_uid: location LOC1 has no EVSE EVSE-9/.test(error.message));
    assert.throws(() => chargingPoint(aLocation(), 'EVSE-1', '7'), (error: Error & { code?: string }) => error.code === 'FAILED_PRECONDITION' && /^connector_id: .* has no connector 7/.test(error.message));
  });

  test('a zone the runtime does not know is UTC', () => {
    assert.equal(knownZone('Mars/Olympus'), 'UTC');
    assert.equal(knownZone(undefined), 'UTC');
    assert.equal(knownZone('America/New_York'), 'America/New_York');
  });
});
