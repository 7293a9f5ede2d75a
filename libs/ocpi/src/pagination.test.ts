import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOcpiDateTime, ocpiDateTime } from './datetime.js';
import { pageHeaders, paginationQuerySchema, parseNextLink } from './pagination.js';

describe('pagination', () => {
  const query = paginationQuerySchema(100);

  test('defaults offset 0 and our cap; caps larger limits instead of failing', () => {
    assert.deepEqual(query.parse({}), { offset: 0, limit: 100 });
    assert.equal(query.parse({ limit: '500' }).limit, 100);
    assert.equal(query.parse({ limit: '10', offset: '20' }).offset, 20);
    assert.equal(query.safeParse({ offset: '-1' }).success, false);
    assert.equal(query.safeParse({ limit: '0' }).success, false);
    assert.equal(query.safeParse({ limit: 'ten' }).success, false);
  });

  test('date filters are OCPI DateTimes, normalised', () => {
    assert.equal(query.parse({ date_from: '2019-01-28T12:00:00' }).date_from, '2019-01-28T12:00:00.000Z');
    assert.equal(query.safeParse({ date_from: '2019-01-28T12:00:00+01:00' }).success, false);
  });

  test('headers: total, our cap, and a next link that keeps the filters', () => {
    const headers = pageHeaders({
      requestUrl: 'https://gw.example/ocpi/2.2.1/cpo/locations/?date_from=2019-01-28T12:00:00Z&limit=10&offset=0',
      offset: 0,
      limit: 10,
      returned: 10,
      total: 25,
      maxLimit: 100,
    });
    assert.equal(headers['x-total-count'], '25');
    assert.equal(headers['x-limit'], '100');
    const next = new URL(parseNextLink(headers['link'])!);
    assert.equal(next.searchParams.get('offset'), '10');
    assert.equal(next.searchParams.get('limit'), '10');
    assert.equal(next.searchParams.get('date_from'), '2019-01-28T12:00:00Z');
  });

  test('no Link on the last page', () => {
    const headers = pageHeaders({ requestUrl: 'https://gw.example/x', offset: 20, limit: 10, returned: 5, total: 25, maxLimit: 100 });
    assert.equal(headers['link'], undefined);
    assert.equal(headers['x-total-count'], '25');
  });

  test('parseNextLink reads the next relation among several, with loose formatting', () => {
    assert.equal(parseNextLink('<https://a/1>; rel="prev", <https://a/3>; rel=next'), 'https://a/3');
    assert.equal(parseNextLink('<https://a/1>;rel="next"'), 'https://a/1');
    assert.equal(parseNextLink('<https://a/1>; rel="prev"'), undefined);
    assert.equal(parseNextLink(undefined), undefined);
  });
});

describe('OCPI DateTime', () => {
  test('accepts the forms the spec lists, always UTC', () => {
    for (const value of ['2015-06-29T20:39:09Z', '2015-06-29T20:39:09', '2016-12-29T17:45:09.2Z', '2018-01-01T01:08:01.123']) {
      assert.ok(parseOcpiDateTime(value), value);
    }
    assert.equal(ocpiDateTime.parse('2016-12-29T17:45:09.2Z'), '2016-12-29T17:45:09.200Z');
  });

  test('rejects offsets and impossible dates', () => {
    for (const value of ['2015-06-29T20:39:09+00:00', '2015-13-01T00:00:00Z', '2021-02-30T00:00:00Z', '2015-06-29 20:39:09', '2015-06-29T24:00:00Z']) {
      assert.equal(parseOcpiDateTime(value), undefined, value);
    }
  });
});
