import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cdrSchema, cdrTotalsProblem } from './cdrs.js';
import { sessionPatchSchema, sessionSchema } from './sessions.js';

const examples = join(import.meta.dirname, '../../../../../shared/ocpi/examples/2.2.1');
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(examples, file), 'utf8')) as Record<string, unknown>;
const problems = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  JSON.stringify(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));

describe('Session and CDR schemas against the official 2.2.1 examples', () => {
  test('both session examples parse; the patch examples parse as partial sessions', () => {
    for (const file of ['session_example_1_simple_start.json', 'session_example_2_short_finished.json']) {
      const result = sessionSchema.safeParse(read(file));
      assert.ok(result.success, `${file}: ${problems(result)}`);
    }
    for (const file of ['session_patch_example_charging_period.json', 'session_patch_example_total_cost.json']) {
      const result = sessionPatchSchema.safeParse(read(file));
      assert.ok(result.success, `${file}: ${problems(result)}`);
    }
  });

  test('the CDR example parses, with its tariffs, location and periods', () => {
    const result = cdrSchema.safeParse(read('cdr_example.json'));
    assert.ok(result.success, problems(result));
    assert.ok(result.data.charging_periods.length > 0, 'charging periods kept');
    assert.equal(result.data.tariffs.length, (read('cdr_example.json')['tariffs'] as unknown[]).length, 'the tariffs in force are kept');
  });

  test('CDR rules beyond the field types: Session-only dimensions, credit CDRs, ids, times', () => {
    const cdr = read('cdr_example.json');
    const period = (cdr['charging_periods'] as Record<string, unknown>[])[0]!;
    const withPower = { ...cdr, charging_periods: [{ ...period, dimensions: [{ type: 'POWER', volume: 11 }] }] };
    assert.match(problems(cdrSchema.safeParse(withPower)), /charging_periods.0.dimensions.0.type: POWER is a Session-only dimension/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, credit: true })), /credit_reference_id: is required on a credit CDR/);
    assert.ok(cdrSchema.safeParse({ ...cdr, id: `${String(cdr['id'])}-C`.padEnd(39, 'X'), credit: true, credit_reference_id: cdr['id'] }).success, 'a credit CDR may have 39 characters');
    assert.match(problems(cdrSchema.safeParse({ ...cdr, id: 'X'.repeat(37) })), /id: must be at most 36 characters/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, end_date_time: '2000-01-01T00:00:00Z' })), /end_date_time: must not be before start_date_time/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, charging_periods: [] })), /charging_periods: must have at least one charging period/);
  });

  test('a session without a token party, or with an unknown status, is refused naming the field', () => {
    const session = read('session_example_1_simple_start.json');
    const token = session['cdr_token'] as Record<string, unknown>;
    assert.match(problems(sessionSchema.safeParse({ ...session, cdr_token: { ...token, party_id: undefined } })), /cdr_token.party_id/);
    assert.match(problems(sessionSchema.safeParse({ ...session, status: 'STOPPED' })), /status/);
  });
});

describe('Session and CDR consistency rules', () => {
  test('charging periods out of order or overlapping are refused, in a session, a PATCH and a CDR', () => {
    const session = read('session_example_2_short_finished.json');
    const periods = session['charging_periods'] as Record<string, unknown>[];
    const first = periods[0]!;
    const twice = { ...session, charging_periods: [first, first] };
    assert.match(problems(sessionSchema.safeParse(twice)), /charging_periods.1.start_date_time: must be after the previous period's start/);
    assert.match(problems(sessionPatchSchema.safeParse({ last_updated: session['last_updated'], charging_periods: [first, first] })), /out of order or overlapping/);
    const cdr = read('cdr_example.json');
    const cdrPeriod = (cdr['charging_periods'] as Record<string, unknown>[])[0]!;
    assert.match(problems(cdrSchema.safeParse({ ...cdr, charging_periods: [cdrPeriod, cdrPeriod] })), /charging_periods.1.start_date_time/);
    assert.match(problems(cdrSchema.safeParse({ ...cdr, charging_periods: [{ ...cdrPeriod, start_date_time: '2099-01-01T00:00:00Z' }] })), /must not be after end_date_time/);
  });

  test('a PATCH must carry last_updated', () => {
    assert.match(problems(sessionPatchSchema.safeParse({ kwh: 3 })), /last_updated/);
    assert.ok(sessionPatchSchema.safeParse({ kwh: 3, last_updated: '2026-01-01T00:00:00Z' }).success, 'kwh and last_updated suffice');
  });

  test('CDR totals that do not add up, and a tariff in another currency, are refused naming the field', () => {
    const cdr = read('cdr_example.json');
    assert.equal(cdrTotalsProblem(cdrSchema.parse(cdr)), undefined, 'the official example adds up');
    const inflated = { ...cdr, total_energy_cost: { excl_vat: 1, incl_vat: 1.1 } };
    assert.match(problems(cdrSchema.safeParse(inflated)), /total_cost: does not add up/);
    const tariffs = cdr['tariffs'] as Record<string, unknown>[];
    assert.match(problems(cdrSchema.safeParse({ ...cdr, tariffs: tariffs.map((t) => ({ ...t, currency: 'CHF' })) })), /tariffs.0.currency: is CHF, the CDR's currency is EUR/);
  });
});
