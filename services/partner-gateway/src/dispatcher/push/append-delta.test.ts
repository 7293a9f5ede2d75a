import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requestFor } from './append-delta.js';
import type { PushJob } from './push-job.js';

const job = (periods: number, appendList: string | null = 'charging_periods'): PushJob => ({
  partnerId: 'p1',
  objectKey: 'sessions:DE*ABC*S1',
  version: 'v1',
  method: 'PUT',
  url: 'https://emsp.example/sessions/DE/ABC/S1',
  body: { id: 'S1', kwh: periods, charging_periods: Array.from({ length: periods }, (_, i) => ({ n: i })) },
  routing: { from: { countryCode: 'DE', partyId: 'ABC' }, to: { countryCode: 'NL', partyId: 'EMS' } },
  correlationId: 'c1',
  ...(appendList !== null ? { appendList } : {}),
});

describe('session pushes: PUT first, then PATCH with the periods the partner lacks', () => {
  test('nothing delivered yet: the whole object as PUT', () => {
    assert.deepEqual(requestFor(job(2), undefined), { method: 'PUT', body: job(2).body });
  });

  test('after a delivered state: PATCH with top-level fields and only the new periods', () => {
    assert.deepEqual(requestFor(job(3), 1), { method: 'PATCH', body: { id: 'S1', kwh: 3, charging_periods: [{ n: 1 }, { n: 2 }] } });
  });

  test('no new period: a PATCH without charging_periods (an empty list would mean nothing, but say nothing)', () => {
    assert.deepEqual(requestFor(job(2), 2), { method: 'PATCH', body: { id: 'S1', kwh: 2 } });
  });

  test('fewer periods than the partner holds cannot be appended: PUT again', () => {
    assert.equal(requestFor(job(1), 2).method, 'PUT');
  });

  test('jobs without appendList are sent as enqueued', () => {
    assert.deepEqual(requestFor(job(2, null), 1), { method: 'PUT', body: job(2, null).body });
  });
});
