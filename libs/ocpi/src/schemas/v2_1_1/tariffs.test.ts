import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { tariffPatchSchema, tariffSchema } from './tariffs.js';

/** Verbatim examples of the 2.1.1 spec (mod_tariffs.md, see fixtures/2.1.1/NOTICE.md). */
const fixtures = join(import.meta.dirname, '../../../fixtures/2.1.1');
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Record<string, unknown>;
const paths = (result: z.ZodSafeParseResult<unknown>) => (result.error?.issues ?? []).map((issue) => issue.path.join('.')).sort();
const issues = (result: z.ZodSafeParseResult<unknown>) => JSON.stringify(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));

const FULL_TARIFFS = ['tariffs_complex.json', 'tariffs_free_of_charge.json', 'tariffs_simple_2_euro_per_hour.json', 'tariffs_simple_alt_text.json', 'tariffs_simple_alt_url.json'];
/** Known defect (NOTICE.md): the PUT example has no last_updated. */
const PUT_EXAMPLE = 'tariffs_put_new_tariff_2_euro_per_hour.json';
const PATCH_EXAMPLE = 'tariffs_patch_change_tariff_to_2_50.json';

/** A valid 2.1.1 tariff to vary one field at a time. */
const aTariff = (): Record<string, unknown> => read('tariffs_simple_2_euro_per_hour.json');
const withRestrictions = (restrictions: Record<string, unknown>) => ({
  ...aTariff(),
  elements: [{ price_components: [{ type: 'TIME', price: 2, step_size: 300 }], restrictions }],
});
const withComponent = (component: Record<string, unknown>) => ({ ...aTariff(), elements: [{ price_components: [component] }] });

describe('2.1.1 Tariff schema against the spec examples', () => {
  test('every tariffs_ fixture is classified here', () => {
    const all = readdirSync(fixtures).filter((file) => file.startsWith('tariffs_') && file.endsWith('.json'));
    assert.deepEqual(all.sort(), [...FULL_TARIFFS, PUT_EXAMPLE, PATCH_EXAMPLE].sort());
  });

  for (const file of FULL_TARIFFS) {
    test(`${file} parses as a Tariff`, () => {
      const result = tariffSchema.safeParse(read(file));
      assert.ok(result.success, `${file}: ${issues(result)}`);
      assert.ok(result.data.elements.length > 0, `${file} has elements`);
    });
  }

  test('the complex example keeps every element and restriction', () => {
    const tariff = tariffSchema.parse(read('tariffs_complex.json'));
    assert.equal(tariff.elements.length, 6);
    assert.deepEqual(tariff.elements[1]?.restrictions, { max_power: 32, day_of_week: [] });
    assert.deepEqual(tariff.elements[5]?.restrictions, { start_time: '10:00', end_time: '17:00', day_of_week: ['SATURDAY'] });
    assert.equal(tariff.last_updated, '2015-06-29T20:39:09.000Z');
  });

  test('the PUT example (known defect) is refused, naming only last_updated', () => {
    const result = tariffSchema.safeParse(read(PUT_EXAMPLE));
    assert.equal(result.success, false);
    assert.deepEqual(paths(result), ['last_updated']);
  });

  test('the PATCH example parses as a patch carrying only elements, and is no Tariff', () => {
    const patch = tariffPatchSchema.safeParse(read(PATCH_EXAMPLE));
    assert.ok(patch.success, issues(patch));
    assert.deepEqual(Object.keys(patch.data), ['elements']);
    assert.equal(patch.data.elements?.[0]?.price_components[0]?.price, 2.5);
    assert.deepEqual(paths(tariffSchema.safeParse(read(PATCH_EXAMPLE))), ['currency', 'id', 'last_updated']);
  });
});

describe('2.1.1 Tariff field rules', () => {
  test('id is a case-sensitive string(36): kept as sent, 37 characters refused', () => {
    assert.equal(tariffSchema.parse({ ...aTariff(), id: 'tariff-a' }).id, 'tariff-a');
    assert.ok(tariffSchema.safeParse({ ...aTariff(), id: 'x'.repeat(36) }).success, '36 characters is the limit');
    assert.deepEqual(paths(tariffSchema.safeParse({ ...aTariff(), id: 'x'.repeat(37) })), ['id']);
    assert.deepEqual(paths(tariffSchema.safeParse({ ...aTariff(), id: '' })), ['id']);
  });

  test('currency is an ISO 4217 code', () => {
    assert.deepEqual(paths(tariffSchema.safeParse({ ...aTariff(), currency: 'eur' })), ['currency']);
    assert.deepEqual(paths(tariffSchema.safeParse({ ...aTariff(), currency: 'EURO' })), ['currency']);
  });

  test('elements (+) and price_components (+) must not be empty', () => {
    assert.deepEqual(paths(tariffSchema.safeParse({ ...aTariff(), elements: [] })), ['elements']);
    assert.deepEqual(paths(tariffSchema.safeParse({ ...aTariff(), elements: [{ price_components: [] }] })), ['elements.0.price_components']);
  });

  test('PriceComponent: dimension enum, step_size an int', () => {
    assert.deepEqual(paths(tariffSchema.safeParse(withComponent({ type: 'RESERVATION', price: 1, step_size: 1 }))), ['elements.0.price_components.0.type']);
    assert.deepEqual(paths(tariffSchema.safeParse(withComponent({ type: 'TIME', price: 1, step_size: 1.5 }))), ['elements.0.price_components.0.step_size']);
    assert.deepEqual(paths(tariffSchema.safeParse(withComponent({ type: 'TIME', price: -1, step_size: 1 }))), ['elements.0.price_components.0.price']);
  });

  test('restrictions: times HH:MM, dates YYYY-MM-DD, durations int, days from DayOfWeek', () => {
    const all = {
      start_time: '13:30',
      end_time: '19:45',
      start_date: '2015-12-24',
      end_date: '2015-12-27',
      min_kwh: 20,
      max_kwh: 50,
      min_power: 0,
      max_power: 20,
      min_duration: 60,
      max_duration: 3600,
      day_of_week: ['MONDAY', 'SUNDAY'],
    };
    const parsed = tariffSchema.parse(withRestrictions(all));
    assert.deepEqual(parsed.elements[0]?.restrictions, all);
    const refused = (restrictions: Record<string, unknown>) => paths(tariffSchema.safeParse(withRestrictions(restrictions)));
    assert.deepEqual(refused({ start_time: '24:00' }), ['elements.0.restrictions.start_time']);
    assert.deepEqual(refused({ end_time: '9:00' }), ['elements.0.restrictions.end_time']);
    assert.deepEqual(refused({ start_date: '24-12-2015' }), ['elements.0.restrictions.start_date']);
    assert.deepEqual(refused({ end_date: '2015-13-01' }), ['elements.0.restrictions.end_date']);
    assert.deepEqual(refused({ min_duration: 1.5 }), ['elements.0.restrictions.min_duration']);
    assert.deepEqual(refused({ day_of_week: ['MON'] }), ['elements.0.restrictions.day_of_week.0']);
  });

  test('2.2 fields a 2.1.1 party sends anyway are refused by name, every one at once; null is absent', () => {
    const hybrid = {
      ...aTariff(),
      type: 'PROFILE_GREEN',
      min_price: { excl_vat: 1 },
      max_price: { excl_vat: 10 },
      start_date_time: '2015-06-29T20:39:09Z',
      end_date_time: '2016-06-29T20:39:09Z',
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, vat: 10, step_size: 1 }], restrictions: { min_current: 16, max_current: 32, reservation: 'RESERVATION' } }],
    };
    assert.deepEqual(paths(tariffSchema.safeParse(hybrid)), [
      'elements.0.price_components.0.vat',
      'elements.0.restrictions.max_current',
      'elements.0.restrictions.min_current',
      'elements.0.restrictions.reservation',
      'end_date_time',
      'max_price',
      'min_price',
      'start_date_time',
      'type',
    ]);
    assert.deepEqual(paths(tariffPatchSchema.safeParse({ max_price: { excl_vat: 10 } })), ['max_price']);
    const nulls = tariffSchema.parse({ ...aTariff(), type: null, max_price: null, elements: [{ price_components: [{ type: 'TIME', price: 2, step_size: 300, vat: null }], restrictions: { min_current: null } }] });
    assert.ok(!('type' in nulls) && !('max_price' in nulls), 'null 2.2 fields are dropped from the output');
    assert.deepEqual(nulls.elements[0], { price_components: [{ type: 'TIME', price: 2, step_size: 300 }], restrictions: { day_of_week: [] } });
  });

  test('a patch leaves absent lists absent (unchanged), an explicit null list empties it', () => {
    assert.deepEqual(tariffPatchSchema.parse({ tariff_alt_url: 'https://company.com/tariffs/12' }), { tariff_alt_url: 'https://company.com/tariffs/12' });
    assert.deepEqual(tariffPatchSchema.parse({ tariff_alt_text: null }), { tariff_alt_text: [] });
    assert.deepEqual(paths(tariffPatchSchema.safeParse({ elements: [] })), ['elements']);
  });
});
