import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locationSchema, tariffSchema, zodErrorMessage } from '@voltmesh/ocpi';
import { demoNetwork } from '../../scripts/demo/network.js';

test('the demo network is valid OCPI: 60 locations, 240 EVSEs, tariffs every connector names, incl. time-of-day and parking', () => {
  const network = demoNetwork({ countryCode: 'NL', partyId: 'VLT', locations: 60, evsesPerLocation: 4, at: '2026-01-01T00:00:00.000Z' });
  for (const location of network.locations) {
    const parsed = locationSchema.safeParse(location);
    assert.ok(parsed.success, `${location.id}: ${parsed.success ? '' : zodErrorMessage(parsed.error)}`);
  }
  for (const tariff of network.tariffs) {
    const parsed = tariffSchema.safeParse(tariff);
    assert.ok(parsed.success, `${tariff.id}: ${parsed.success ? '' : zodErrorMessage(parsed.error)}`);
  }
  assert.equal(network.locations.length, 60);
  assert.equal(network.locations.flatMap((location) => location.evses).length, 240);
  const tariffIds = new Set(network.tariffs.map((tariff) => tariff.id));
  const named = new Set(network.locations.flatMap((location) => location.evses.flatMap((evse) => evse.connectors.flatMap((connector) => connector.tariff_ids))));
  assert.deepEqual([...named].filter((id) => !tariffIds.has(id)), [], 'every tariff a connector names exists');
  assert.equal(named.size, tariffIds.size, 'every tariff is used');
  assert.ok(network.tariffs.some((tariff) => tariff.elements.some((element) => element.restrictions?.start_time)), 'a time-of-day tariff');
  assert.ok(network.tariffs.some((tariff) => tariff.elements.some((element) => element.price_components.some((component) => component.type === 'PARKING_TIME' && component.price > 0))), 'a parking tariff');
  assert.deepEqual(demoNetwork({ countryCode: 'NL', partyId: 'VLT', locations: 60, evsesPerLocation: 4, at: '2026-01-01T00:00:00.000Z' }), network, 'the same network every run');
});
