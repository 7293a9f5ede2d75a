import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crawl, type FetchedPage } from './crawl.js';

const ENDPOINT = 'https://cpo.example.com/ocpi/2.2.1/locations';

/** Objects as a CPO Sender holds them: creation order, `last_updated` one minute apart. */
function someLocations(count: number): Array<{ country_code: string; party_id: string; id: string; last_updated: string }> {
  return Array.from({ length: count }, (_, index) => ({
    country_code: 'DE',
    party_id: 'ABC',
    id: `LOC${index + 1}`,
    last_updated: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(),
  }));
}

interface PartnerQuirks {
  /** How the partner writes its Link header. */
  link?: 'spec' | 'none' | 'other-origin' | 'http-downgrade' | 'garbage' | 'same-page' | 'drops-offset';
  /** The partner always answers the first objects, whatever `offset` says. */
  ignoresOffset?: boolean;
  sendsTotal?: boolean;
  /** The partner's own page cap (X-Limit). */
  serverLimit?: number;
}

/** An in-memory CPO Sender, paginated as the spec says unless told to misbehave. */
function inMemorySender(objects: ReturnType<typeof someLocations>, quirks: PartnerQuirks = {}) {
  const requested: URL[] = [];
  const fetchPage = async (raw: string): Promise<FetchedPage> => {
    const url = new URL(raw);
    requested.push(url);
    const dateFrom = url.searchParams.get('date_from');
    const matching = dateFrom ? objects.filter((object) => object.last_updated >= new Date(dateFrom).toISOString()) : objects;
    const offset = quirks.ignoresOffset ? 0 : Number(url.searchParams.get('offset') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), quirks.serverLimit ?? 50);
    const page = matching.slice(offset, offset + limit);
    const next = new URL(url.href);
    next.searchParams.set('offset', String(offset + page.length));
    const more = offset + page.length < matching.length;
    let link: string | undefined;
    switch (quirks.link ?? 'spec') {
      case 'spec':
        link = more ? `<${next.href}>; rel="next"` : undefined;
        break;
      case 'other-origin':
        link = more ? `<https://evil.example.net${next.pathname}${next.search}>; rel="next"` : undefined;
        break;
      case 'http-downgrade':
        link = more ? `<${next.href.replace('https:', 'http:')}>; rel="next"` : undefined;
        break;
      case 'garbage':
        link = more ? 'next page please' : undefined;
        break;
      case 'drops-offset':
        next.searchParams.delete('offset');
        next.searchParams.set('page', String(offset / limit + 1));
        link = more ? `<${next.href}>; rel="next"` : undefined;
        break;
      case 'same-page':
        link = `<${url.href}>; rel="next"`;
        break;
      case 'none':
        break;
    }
    return {
      objects: page,
      ...(link ? { link } : {}),
      ...(quirks.sendsTotal === false ? {} : { totalCount: matching.length }),
      ...(quirks.serverLimit ? { pageLimit: quirks.serverLimit } : {}),
      serverTime: new Date('2026-02-01T00:00:00Z'),
    };
  };
  return { fetchPage, requested };
}

/** A sink that remembers ids (not objects) and the size of each page it got. */
function collectingSink() {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  return {
    ids,
    pageSizes,
    sink: async (objects: unknown[]) => {
      pageSizes.push(objects.length);
      for (const object of objects) ids.push((object as { id: string }).id);
    },
  };
}

const ids = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, index) => `LOC${from + index}`);

describe('crawl of a partner Sender list', () => {
  test('follows Link page by page and hands every object on exactly once', async () => {
    const partner = inMemorySender(someLocations(25));
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

    assert.deepEqual(out.ids, ids(1, 25));
    assert.deepEqual(out.pageSizes, [10, 10, 5]);
    assert.equal(summary.pages, 3);
    assert.equal(summary.objects, 25);
    assert.equal(summary.stoppedBecause, 'last-page');
    assert.deepEqual(summary.tolerated, []);
    assert.equal(summary.maxLastUpdated?.toISOString(), '2026-01-01T00:24:00.000Z');
    assert.equal(summary.serverTimeAtStart?.toISOString(), '2026-02-01T00:00:00.000Z');
    assert.deepEqual(partner.requested.map((url) => url.searchParams.get('offset')), ['0', '10', '20']);
  });

  test('without Link, moves on by offset while X-Total-Count says more remain', async () => {
    const partner = inMemorySender(someLocations(23), { link: 'none' });
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

    assert.deepEqual(out.ids, ids(1, 23));
    assert.equal(summary.stoppedBecause, 'last-page');
    assert.deepEqual(summary.tolerated, ['link-missing']);
    assert.equal(partner.requested.length, 3, 'no extra request after offset reached the total');
  });

  test('without Link nor X-Total-Count, keeps going while pages are full, within the partner cap', async () => {
    const partner = inMemorySender(someLocations(20), { link: 'none', sendsTotal: false, serverLimit: 5 });
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

    assert.deepEqual(out.ids, ids(1, 20));
    assert.deepEqual(out.pageSizes, [5, 5, 5, 5]);
    assert.equal(summary.stoppedBecause, 'empty-page');
  });

  test('a partner that ignores offset: stops after one repeated page and hands nothing on twice', async () => {
    const partner = inMemorySender(someLocations(30), { link: 'none', ignoresOffset: true });
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

    assert.deepEqual(out.ids, ids(1, 10));
    assert.equal(summary.stoppedBecause, 'repeated-page');
    assert.equal(summary.objects, 10);
    assert.equal(partner.requested.length, 2);
  });

  test('a partner that ignores offset but sends a spec Link also stops at the first repeat', async () => {
    const partner = inMemorySender(someLocations(30), { ignoresOffset: true });
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

    assert.equal(summary.stoppedBecause, 'repeated-page');
    assert.deepEqual(out.ids, ids(1, 10));
    assert.equal(partner.requested.length, 2, 'the offset retry would be the same URL: not fetched again');
  });

  test('a Link back to the same page is not followed: offset takes over', async () => {
    const partner = inMemorySender(someLocations(25), { link: 'same-page' });
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

    assert.deepEqual(out.ids, ids(1, 25));
    assert.deepEqual(summary.tolerated, ['link-unusable']);
    assert.equal(new Set(partner.requested.map((url) => url.href)).size, partner.requested.length, 'no URL fetched twice');
  });

  test('a Link to another origin (or a downgrade to http, or garbage) is never followed: offset instead', async () => {
    for (const link of ['other-origin', 'http-downgrade', 'garbage'] as const) {
      const partner = inMemorySender(someLocations(25), { link });
      const out = collectingSink();
      const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

      assert.ok(
        partner.requested.every((url) => url.origin === 'https://cpo.example.com'),
        `${link}: our token never leaves the endpoint's origin`,
      );
      assert.deepEqual(out.ids, ids(1, 25), link);
      assert.deepEqual(summary.tolerated, ['link-unusable'], link);
    }
  });

  test('a Link that leads back to objects we have gets one second chance by offset', async () => {
    const partner = inMemorySender(someLocations(25), { link: 'drops-offset' });
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 100 });

    assert.deepEqual(out.ids, ids(1, 25));
    assert.equal(summary.stoppedBecause, 'last-page');
    assert.deepEqual(summary.tolerated, ['link-repeated-page']);
    assert.equal(partner.requested.length, 4, 'page 1, the bad Link, then offset 10 and 20');
  });

  test('incremental: date_from travels on every page, in whole seconds, with our limit', async () => {
    const partner = inMemorySender(someLocations(40));
    const out = collectingSink();
    const summary = await crawl({
      fetchPage: partner.fetchPage,
      firstUrl: `${ENDPOINT}/`,
      limit: 10,
      dateFrom: new Date('2026-01-01T00:25:00.750Z'),
      sink: out.sink,
      maxPages: 100,
    });

    assert.deepEqual(out.ids, ids(26, 40));
    assert.equal(summary.pages, 2);
    for (const url of partner.requested) {
      assert.equal(url.searchParams.get('date_from'), '2026-01-01T00:25:00Z');
      assert.equal(url.searchParams.get('limit'), '10');
      assert.equal(url.pathname, '/ocpi/2.2.1/locations/', 'the endpoint URL is kept as the partner gave it');
    }
  });

  test('stops at maxPages and says so', async () => {
    const partner = inMemorySender(someLocations(100));
    const out = collectingSink();
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: out.sink, maxPages: 3 });

    assert.equal(summary.stoppedBecause, 'max-pages');
    assert.equal(summary.pages, 3);
    assert.deepEqual(out.ids, ids(1, 30));
  });

  test('an empty list is one request', async () => {
    const partner = inMemorySender([]);
    const summary = await crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, sink: async () => undefined, maxPages: 3 });
    assert.equal(summary.stoppedBecause, 'empty-page');
    assert.equal(summary.pages, 1);
    assert.equal(summary.maxLastUpdated, undefined);
  });

  test('the next page is fetched only after the sink finished the previous one', async () => {
    const partner = inMemorySender(someLocations(30));
    const events: string[] = [];
    const fetchPage = async (url: string) => {
      events.push(`fetch ${new URL(url).searchParams.get('offset')}`);
      return partner.fetchPage(url);
    };
    await crawl({
      fetchPage,
      firstUrl: ENDPOINT,
      limit: 10,
      maxPages: 10,
      sink: async (objects) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`sank ${objects.length}`);
      },
    });
    assert.deepEqual(events, ['fetch 0', 'sank 10', 'fetch 10', 'sank 10', 'fetch 20', 'sank 10']);
  });

  test('a failing page or sink ends the crawl with that error', async () => {
    const partner = inMemorySender(someLocations(30));
    let calls = 0;
    await assert.rejects(
      crawl({
        fetchPage: async (url) => {
          calls += 1;
          if (calls === 2) throw new Error('partner timed out');
          return partner.fetchPage(url);
        },
        firstUrl: ENDPOINT,
        limit: 10,
        maxPages: 10,
        sink: async () => undefined,
      }),
      /partner timed out/,
    );
    await assert.rejects(
      crawl({ fetchPage: partner.fetchPage, firstUrl: ENDPOINT, limit: 10, maxPages: 10, sink: async () => Promise.reject(new Error('kafka down')) }),
      /kafka down/,
    );
  });
});
