import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aLocation } from '@voltmesh/testing';
import type { StoredLocation } from '../domain/stored-location.js';
import { LocationReadModel } from './read-model.js';

const stored = (id: string, lastUpdated: string, rev = 1, owner: StoredLocation['owner'] = 'OWN'): StoredLocation => ({
  country_code: 'NL',
  party_id: 'VLT',
  location_id: id,
  owner,
  connection_id: '',
  location: aLocation({ country_code: 'NL', party_id: 'VLT', id, last_updated: lastUpdated }),
  rev,
  unpublished: false,
});

test('the read model lists in (last_updated, key) order, moves an updated location, ignores older revisions, filters and counts', () => {
  const model = new LocationReadModel();
  model.put(stored('B', '2026-01-02T00:00:00.000Z'));
  model.put(stored('A', '2026-01-02T00:00:00.000Z'));
  model.put(stored('C', '2026-01-01T00:00:00.000Z'));
  model.put(stored('P', '2026-01-03T00:00:00.000Z', 1, 'PARTNER'));
  const ids = (filter = {}, offset = 0, limit = 10) => model.list(filter, offset, limit).items.map((item) => item.location_id);
  assert.deepEqual(ids(), ['C', 'A', 'B', 'P']);

  model.put(stored('C', '2026-01-05T00:00:00.000Z', 2));
  assert.deepEqual(ids(), ['A', 'B', 'P', 'C'], 'an update moves the location to its new place');
  model.put(stored('C', '2026-01-01T00:00:00.000Z', 1));
  assert.deepEqual(ids(), ['A', 'B', 'P', 'C'], 'an older revision is ignored');

  assert.deepEqual(ids({ owner: 'OWN' }, 1, 1), ['B']);
  assert.equal(model.list({ owner: 'OWN' }, 1, 1).total, 3);
  assert.deepEqual(ids({ dateFrom: '2026-01-02T00:00:00.000Z', dateTo: '2026-01-05T00:00:00.000Z' }), ['A', 'B', 'P'], 'date_from inclusive, date_to exclusive');
  assert.equal(model.get({ country_code: 'nl', party_id: 'vlt', location_id: 'c' })?.rev, 2, 'ids compared case-insensitively');
});

test('unpublished saves are reported after the grace period until their event is published', () => {
  const model = new LocationReadModel();
  const saved = { ...stored('U', '2026-01-01T00:00:00.000Z'), unpublished: true };
  model.put(saved);
  assert.deepEqual(model.unpublishedSince(0, 10).map((item) => item.location_id), ['U']);
  assert.deepEqual(model.unpublishedSince(60_000, 10), [], 'not before the grace period');
  model.published(saved);
  assert.deepEqual(model.unpublishedSince(0, 10), []);
});

test('a re-read state replaces what the model holds even when the model holds a higher revision (the store is the truth)', () => {
  const model = new LocationReadModel();
  model.put(stored('A', '2026-01-01T00:00:00.000Z'));
  model.put(stored('R', '2026-01-04T00:00:00.000Z', 9));
  model.replace(stored('R', '2026-01-02T00:00:00.000Z', 7));
  assert.equal(model.get({ country_code: 'NL', party_id: 'VLT', location_id: 'R' })?.rev, 7, 'the stored revision, lower than the one held');
  assert.deepEqual(model.list({}, 0, 10).items.map((item) => `${item.location_id}@${item.location.last_updated.slice(0, 10)}`), ['A@2026-01-01', 'R@2026-01-02'], 'listed once, at its stored place');
});
