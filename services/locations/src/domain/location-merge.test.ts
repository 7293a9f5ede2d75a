import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '@voltmesh/errors';
import { aConnector, aLocation, anEvse, BUILDER_TIME } from '@voltmesh/testing';
import { patchConnector, patchEvse, patchLocation, putConnector, putEvse, putLocation } from './location-merge.js';

const T0 = BUILDER_TIME;
const T1 = '2026-01-01T11:00:00.000Z';
const T2 = '2026-01-01T12:00:00.000Z';

const isNotFound = (error: unknown) => error instanceof AppError && error.code === 'NOT_FOUND';

describe('location writes', () => {
  test('PUT replaces, unless it is older than what is stored', () => {
    const stored = aLocation({ last_updated: T1 });
    assert.equal(putLocation(stored, aLocation({ name: 'old', last_updated: T0 })).changed, false);
    const newer = putLocation(stored, aLocation({ name: 'new', evses: [], last_updated: T2 }));
    assert.equal(newer.changed, true);
    assert.equal(newer.location.name, 'new');
    assert.equal(newer.location.evses.length, 0, 'PUT is a full replace');
    assert.equal(putLocation(undefined, aLocation()).changed, true);
  });

  test('PATCH of a location merges EVSEs by uid and keeps the ones it did not name', () => {
    const result = patchLocation(aLocation(), { last_updated: T1, name: 'Renamed', evses: [{ uid: 'evse-1', status: 'CHARGING', last_updated: T1 }] } as never);
    assert.equal(result.location.name, 'Renamed');
    assert.deepEqual(result.location.evses.map((evse) => [evse.uid, evse.status]), [['EVSE-1', 'CHARGING'], ['EVSE-2', 'AVAILABLE']]);
    assert.equal(result.location.evses[0]?.connectors.length, 1, 'connectors kept');
    assert.equal(result.location.address, 'Street 1', 'unnamed fields kept');
  });

  test('PATCH older than the stored object changes nothing', () => {
    const stored = aLocation({ last_updated: T1 });
    const result = patchLocation(stored, { last_updated: T0, name: 'stale' } as never);
    assert.equal(result.changed, false);
    assert.equal(result.location, stored);
  });

  test('a new EVSE in a location PATCH must be complete', () => {
    assert.throws(
      () => patchLocation(aLocation(), { last_updated: T1, evses: [{ uid: 'EVSE-9', status: 'AVAILABLE', last_updated: T1 }] } as never),
      (error: unknown) => error instanceof AppError && error.code === 'INVALID_ARGUMENT' && /EVSE-9/.test(error.message) && /connectors/.test(error.message),
    );
  });

  test('EVSE status PATCH bumps the location last_updated, never back', () => {
    const result = patchEvse(aLocation(), 'EVSE-2', { status: 'OUTOFORDER', last_updated: T2 } as never);
    assert.equal(result.location.evses[1]?.status, 'OUTOFORDER');
    assert.equal(result.location.evses[1]?.last_updated, T2);
    assert.equal(result.location.last_updated, T2);
    const older = patchEvse(aLocation({ last_updated: T2 }), 'EVSE-1', { status: 'CHARGING', last_updated: T1 } as never);
    assert.equal(older.location.evses[0]?.status, 'CHARGING');
    assert.equal(older.location.last_updated, T2, 'parent keeps its newer time');
  });

  test('connector PUT and PATCH bump EVSE and location', () => {
    const put = putConnector(aLocation(), 'EVSE-1', aConnector({ id: '2', last_updated: T1 }));
    assert.deepEqual(put.location.evses[0]?.connectors.map((connector) => connector.id), ['1', '2']);
    assert.equal(put.location.evses[0]?.last_updated, T1);
    assert.equal(put.location.last_updated, T1);
    const patched = patchConnector(put.location, 'EVSE-1', '2', { max_amperage: 16, last_updated: T2 } as never);
    assert.equal(patched.location.evses[0]?.connectors[1]?.max_amperage, 16);
    assert.equal(patched.location.last_updated, T2);
  });

  test('EVSE PUT adds or replaces by uid, stale ones ignored', () => {
    const added = putEvse(aLocation(), anEvse({ uid: 'EVSE-3', last_updated: T1 }));
    assert.equal(added.location.evses.length, 3);
    const stale = putEvse(aLocation({ evses: [anEvse({ last_updated: T2 })] }), anEvse({ status: 'CHARGING', last_updated: T1 }));
    assert.equal(stale.changed, false);
  });

  test('child writes and PATCHes never create half a location', () => {
    assert.throws(() => putEvse(undefined, anEvse()), isNotFound);
    assert.throws(() => patchLocation(undefined, { last_updated: T1 } as never), isNotFound);
    assert.throws(() => patchEvse(aLocation(), 'NOPE', { last_updated: T1 } as never), isNotFound);
    assert.throws(() => patchConnector(aLocation(), 'EVSE-1', '9', { last_updated: T1 } as never), isNotFound);
  });
});
