import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dateTime211, energyMixSchema, environmentalImpactSchema, geoLocationSchema, id211, imageSchema, parseDateTime211 } from './common.js';

describe('2.1.1 shared types', () => {
  test('DateTime: UTC with or without Z, fractions, normalised to what we emit', () => {
    assert.equal(dateTime211.parse('2015-06-29T20:39:09Z'), '2015-06-29T20:39:09.000Z');
    assert.equal(dateTime211.parse('2015-06-29T20:39:09'), '2015-06-29T20:39:09.000Z');
    assert.equal(dateTime211.parse('2016-12-29T17:45:09.2Z'), '2016-12-29T17:45:09.200Z');
  });

  test('DateTime: an ISO 8601 offset (an example of 2.1.1 types.md) is the same instant in UTC', () => {
    assert.equal(dateTime211.parse('2015-06-29T22:39:09+02:00'), '2015-06-29T20:39:09.000Z');
    assert.equal(dateTime211.parse('2015-06-29T18:39:09-02:00'), '2015-06-29T20:39:09.000Z');
    assert.equal(dateTime211.parse('2014-06-21T00:30:00+01:00'), '2014-06-20T23:30:00.000Z');
  });

  test('DateTime: not a date, an impossible date or a bad offset is refused', () => {
    for (const value of ['2015-06-29', '2015-02-30T10:00:00Z', '2015-06-29T20:39:09+24:00', '2015-06-29 20:39:09Z', 'yesterday']) {
      assert.equal(parseDateTime211(value), undefined, value);
      assert.equal(dateTime211.safeParse(value).success, false, value);
    }
  });

  test('GeoLocation: exactly 6 decimals in 2.1.1 (5 or 7 are 2.2.1 only)', () => {
    assert.ok(geoLocationSchema.safeParse({ latitude: '51.047599', longitude: '-126.104965' }).success, '6 decimals are accepted');
    const five = geoLocationSchema.safeParse({ latitude: '51.04759', longitude: '3.729944' });
    assert.deepEqual(five.error?.issues.map((issue) => issue.path.join('.')), ['latitude']);
    const seven = geoLocationSchema.safeParse({ latitude: '51.047599', longitude: '3.7299441' });
    assert.deepEqual(seven.error?.issues.map((issue) => issue.path.join('.')), ['longitude']);
  });

  test('EnvironmentalImpact names its category `source` in 2.1.1', () => {
    assert.deepEqual(environmentalImpactSchema.parse({ source: 'CARBON_DIOXIDE', amount: 372 }), { source: 'CARBON_DIOXIDE', amount: 372 });
    assert.equal(environmentalImpactSchema.safeParse({ category: 'CARBON_DIOXIDE', amount: 372 }).success, false);
    assert.deepEqual(energyMixSchema.parse({ is_green_energy: true, energy_sources: null }), { is_green_energy: true, energy_sources: [], environ_impact: [] });
  });

  test('ids are case-sensitive strings kept as sent; Image.type too', () => {
    assert.equal(id211(39).parse('loc-a1'), 'loc-a1');
    assert.equal(id211(39).safeParse('x'.repeat(40)).success, false);
    assert.equal(id211(39).safeParse('').success, false);
    assert.equal(imageSchema.parse({ url: 'https://example.com/a.png', category: 'CHARGER', type: 'png' }).type, 'png');
  });
});
