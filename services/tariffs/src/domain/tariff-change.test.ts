import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aTariff } from '@voltmesh/testing';
import { deleteTariff, putTariff } from './tariff-change.js';

const at = (day: string): string => `2026-05-${day}T10:00:00.000Z`;

describe('tariff changes', () => {
  test('a PUT creates, replaces with a newer or equal last_updated, and ignores an older one', () => {
    const v1 = aTariff({ last_updated: at('10') });
    assert.deepEqual(putTariff(undefined, v1), { changed: true, state: { tariff: v1 } });
    const v2 = aTariff({ currency: 'CHF', last_updated: at('11') });
    assert.deepEqual(putTariff({ tariff: v1 }, v2), { changed: true, state: { tariff: v2 } });
    assert.deepEqual(putTariff({ tariff: v2 }, v1), { changed: false });
  });

  test('a DELETE leaves a tombstone dated by the later of its time and the stored last_updated', () => {
    const v1 = aTariff({ last_updated: at('10') });
    assert.deepEqual(deleteTariff({ tariff: v1 }, at('12')), { changed: true, state: { tariff: v1, deleted_at: at('12') } });
    assert.deepEqual(deleteTariff({ tariff: v1 }, at('09')), { changed: true, state: { tariff: v1, deleted_at: at('10') } }, 'never dated before what it deletes');
    assert.deepEqual(deleteTariff(undefined, at('12')), { changed: false }, 'nothing to delete');
    assert.deepEqual(deleteTariff({ tariff: v1, deleted_at: at('12') }, at('13')), { changed: false }, 'a replayed DELETE');
  });

  test('only a PUT dated after the deletion brings a tariff back', () => {
    const tombstone = { tariff: aTariff({ last_updated: at('10') }), deleted_at: at('12') };
    assert.deepEqual(putTariff(tombstone, aTariff({ last_updated: at('11') })), { changed: false }, 'a late replay of an older PUT');
    assert.deepEqual(putTariff(tombstone, aTariff({ last_updated: at('12') })), { changed: false }, 'as old as the deletion');
    const again = aTariff({ last_updated: at('13') });
    assert.deepEqual(putTariff(tombstone, again), { changed: true, state: { tariff: again } });
  });
});
