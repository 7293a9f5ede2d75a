import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cdrSchema } from './cdrs.js';

const fixture = readFileSync(join(import.meta.dirname, '../../../fixtures/2.1.1/cdrs_example.json'), 'utf8');
const problems = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }): string[] =>
  result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

/** The example with its JSON syntax defect (a trailing comma, see NOTICE.md) removed, nothing else. */
const TRAILING_COMMA = '}],\n\t\t}],';
const parsedJson = (): Record<string, unknown> => JSON.parse(fixture.replace(TRAILING_COMMA, '}]\n\t\t}],')) as Record<string, unknown>;

/** ... and its two schema defects corrected: country "BE" → "BEL", price "2.00" → 2.00. */
function correctedCdrExample(): Record<string, unknown> {
  const cdr = parsedJson();
  const tariffs = cdr['tariffs'] as { elements: { price_components: Record<string, unknown>[] }[] }[];
  const element = tariffs[0]!.elements[0]!;
  return {
    ...cdr,
    location: { ...(cdr['location'] as object), country: 'BEL' },
    tariffs: [{ ...tariffs[0], elements: [{ ...element, price_components: [{ ...element.price_components[0], price: 2.0 }] }] }],
  };
}

describe('2.1.1 CDR schema against the spec example (mod_cdrs.md, verbatim)', () => {
  test('the verbatim example is not JSON: a trailing comma after price_components (known defect)', () => {
    assert.ok(fixture.includes(TRAILING_COMMA), 'the fixture is kept verbatim, defect included');
    assert.throws(() => JSON.parse(fixture) as unknown, SyntaxError);
  });

  test('without the comma it is refused for exactly its two known defects, naming the fields', () => {
    assert.deepEqual(problems(cdrSchema.safeParse(parsedJson())), [
      'location.country: must be an ISO 3166-1 alpha-3 country code',
      'tariffs.0.elements.0.price_components.0.price: Invalid input: expected number, received string',
    ]);
  });

  test('corrected, it parses with the 2.1.1 field names and plain-number money', () => {
    const result = cdrSchema.safeParse(correctedCdrExample());
    assert.ok(result.success, problems(result).join('; '));
    assert.equal(result.data.stop_date_time, '2015-06-29T23:37:32.000Z');
    assert.equal(result.data.auth_id, 'DE8ACC12E46L89');
    assert.equal(result.data.total_cost, 4);
    assert.equal(result.data.total_parking_time, undefined);
    assert.equal(result.data.location.evses[0]?.connectors[0]?.voltage, 230);
    assert.equal(result.data.tariffs[0]?.elements[0]?.price_components[0]?.price, 2);
  });
});

describe('2.1.1 CDR rules', () => {
  const cdr = correctedCdrExample();
  const period = (cdr['charging_periods'] as Record<string, unknown>[])[0]!;

  test('at least one charging period; stop not before start; parking time within total time', () => {
    assert.match(problems(cdrSchema.safeParse({ ...cdr, charging_periods: [] })).join(), /^charging_periods: must have at least one charging period/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, stop_date_time: '2015-06-29T20:00:00Z' })).join(), /stop_date_time: must not be before start_date_time/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, total_parking_time: 2 })).join(), /total_parking_time: must not exceed total_time/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, charging_periods: [period, period] })).join(), /charging_periods\.1\.start_date_time: must be after/);
  });

  test('2.2 fields that would change the meaning are refused: credit: true, a Price as total_cost', () => {
    assert.match(problems(cdrSchema.safeParse({ ...cdr, credit: true, credit_reference_id: '12344' })).join(), /^credit: is not a 2.1.1 field/);
    assert.ok(cdrSchema.safeParse({ ...cdr, credit: false }).success, 'credit: false says nothing 2.1.1 does not');
    assert.match(problems(cdrSchema.safeParse({ ...cdr, total_cost: { excl_vat: 4 } })).join(), /^total_cost:/);
  });

  test('2.1.1 enums only: FLAT is a dimension, RESERVATION_TIME and COMMAND are not', () => {
    assert.ok(cdrSchema.safeParse({ ...cdr, charging_periods: [{ ...period, dimensions: [{ type: 'FLAT', volume: 1 }] }] }).success, 'FLAT is a 2.1.1 dimension');
    const reservation = { ...cdr, charging_periods: [{ ...period, dimensions: [{ type: 'RESERVATION_TIME', volume: 1 }] }] };
    assert.match(problems(cdrSchema.safeParse(reservation)).join(), /^charging_periods\.0\.dimensions\.0\.type:/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, auth_method: 'COMMAND' })).join(), /^auth_method:/);
  });

  test('tariffs in another currency, an id over CiString(36), two EVSEs are refused naming the field', () => {
    const tariffs = cdr['tariffs'] as Record<string, unknown>[];
    assert.match(problems(cdrSchema.safeParse({ ...cdr, tariffs: tariffs.map((t) => ({ ...t, currency: 'CHF' })) })).join(), /tariffs\.0\.currency: is CHF/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, id: 'X'.repeat(37) })).join(), /^id:/);
    const location = cdr['location'] as { evses: unknown[] };
    assert.match(problems(cdrSchema.safeParse({ ...cdr, location: { ...location, evses: [location.evses[0], location.evses[0]] } })).join(), /location\.evses: must hold exactly/);
  });
});
