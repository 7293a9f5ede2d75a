/*
 * Live pricing (priceSessionLive) against pricing every period at once: a session priced update by
 * update, each update resuming from the previous state with only the periods from its
 * state_period_count on, must give exactly the figures of a full pricing of the same periods at
 * every update: every total, the breakdown of the periods given, and the state itself.
 *
 * Property style: seeded random tariffs (the golden cases' tariffs, mutated, and generated ones
 * with restrictions on time, date, weekday, energy, duration, power and current, step sizes,
 * VAT, min/max price, reservation elements) and seeded random live sessions (a reservation, then
 * charging and parking periods whose last one grows between updates). A failure names its seed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { tariffSchema } from '@voltmesh/ocpi';
import { Dec } from './decimal.js';
import { priceSession, priceSessionLive } from './index.js';
import type {
  CdrDimension,
  ChargingPeriod,
  DayOfWeek,
  LivePricingResult,
  PriceComponentInput,
  PricingResult,
  PriceSessionInput,
  TariffDimensionType,
  TariffElementInput,
  TariffInput,
  TariffRestrictionsInput,
} from './types.js';

const CASES_DIR = resolve(import.meta.dirname, '../../../../../../shared/ocpi/tariff-cases');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const goldenFolders = readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const goldenTariffs: TariffInput[] = goldenFolders.map((folder) => tariffSchema.omit({ last_updated: true }).parse(readJson(join(CASES_DIR, folder, 'tariff.json'))));

/** mulberry32: small, fast, and the same sequence for a seed on every machine. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const chance = (p: number): boolean => next() < p;
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  /** A decimal string with up to `decimals` decimals in [min, max]. */
  const decimal = (min: number, max: number, decimals: number): string => new Dec(next()).times(max - min).plus(min).toDecimalPlaces(decimals).toString();
  return { next, int, chance, pick, decimal };
}
type Random = ReturnType<typeof random>;

const DAYS: readonly DayOfWeek[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const STEPS = [0, 1, 60, 300, 500, 900, 1000, 1800, 3600, 5000];
const PRICES = ['0', '0.05', '0.2', '0.25', '0.3333', '1.2', '1.9', '2.40', '5', 0.35, 1.25];
const VATS = [null, 0, 5.2, 10, 20, 21];

function hhmm(r: Random): string {
  return `${String(r.int(0, 23)).padStart(2, '0')}:${r.pick(['00', '15', '30', '45'])}`;
}

function randomRestrictions(r: Random): TariffRestrictionsInput {
  const out: TariffRestrictionsInput = {};
  if (r.chance(0.35)) [out.start_time, out.end_time] = [hhmm(r), hhmm(r)];
  if (r.chance(0.1)) out.start_date = r.pick(['2024-01-01', '2024-03-31', '2024-06-04']);
  if (r.chance(0.1)) out.end_date = r.pick(['2024-06-05', '2024-10-28', '2025-01-01']);
  if (r.chance(0.2)) out.day_of_week = DAYS.filter(() => r.chance(0.6));
  if (r.chance(0.25)) out.min_kwh = r.decimal(0, 20, 1);
  if (r.chance(0.25)) out.max_kwh = r.decimal(5, 60, 1);
  if (r.chance(0.25)) out.min_duration = r.int(0, 4) * 900;
  if (r.chance(0.25)) out.max_duration = r.int(1, 12) * 900;
  if (r.chance(0.2)) out.min_power = r.int(1, 22);
  if (r.chance(0.2)) out.max_power = r.int(11, 50);
  if (r.chance(0.1)) out.min_current = r.int(6, 32);
  if (r.chance(0.1)) out.max_current = r.int(16, 64);
  return out;
}

function randomComponent(r: Random, type: TariffDimensionType): PriceComponentInput {
  const vat = r.pick(VATS);
  return { type, price: r.pick(PRICES), step_size: r.pick(STEPS), ...(vat === null ? {} : { vat }) };
}

function randomElement(r: Random, restricted: boolean): TariffElementInput {
  const types = (['FLAT', 'ENERGY', 'TIME', 'PARKING_TIME'] as const).filter(() => r.chance(0.5));
  const components = (types.length > 0 ? types : (['ENERGY'] as const)).map((type) => randomComponent(r, type));
  return restricted ? { price_components: components, restrictions: randomRestrictions(r) } : { price_components: components };
}

function randomLimits(r: Random): Pick<TariffInput, 'min_price' | 'max_price'> {
  const out: Pick<TariffInput, 'min_price' | 'max_price'> = {};
  if (r.chance(0.25)) out.min_price = r.chance(0.5) ? { excl_vat: r.decimal(0, 8, 2) } : { excl_vat: r.decimal(0, 8, 2), incl_vat: r.decimal(0, 10, 2) };
  if (r.chance(0.25)) out.max_price = r.chance(0.5) ? { excl_vat: r.decimal(2, 40, 2) } : { excl_vat: r.decimal(2, 40, 2), incl_vat: r.decimal(2, 48, 2) };
  return out;
}

/** A generated tariff: restricted elements, a default one, sometimes reservation elements. */
function generatedTariff(r: Random): TariffInput {
  const elements: TariffElementInput[] = [];
  if (r.chance(0.3)) elements.push({ price_components: [randomComponent(r, 'FLAT'), randomComponent(r, 'TIME')], restrictions: { reservation: 'RESERVATION' } });
  if (r.chance(0.15)) elements.push({ price_components: [randomComponent(r, r.pick(['FLAT', 'TIME'] as const))], restrictions: { reservation: 'RESERVATION_EXPIRES' } });
  for (let i = r.int(0, 4); i > 0; i--) elements.push(randomElement(r, true));
  if (r.chance(0.8)) elements.push(randomElement(r, false)); // without a default some periods are free (unmatched)
  if (elements.length === 0) elements.push(randomElement(r, false));
  return { id: `GEN-${r.int(1, 9999)}`, currency: 'EUR', elements, ...randomLimits(r) };
}

/** A golden case's tariff with other step sizes and prices, bounds, and sometimes an extra restricted element first. */
function mutatedGoldenTariff(r: Random): TariffInput {
  const golden = r.pick(goldenTariffs);
  const elements: TariffElementInput[] = golden.elements.map((el) => ({
    ...el,
    price_components: el.price_components.map((c) => ({ ...c, step_size: r.chance(0.5) ? r.pick(STEPS) : c.step_size, price: r.chance(0.3) ? r.pick(PRICES) : c.price })),
  }));
  if (r.chance(0.4)) elements.unshift(randomElement(r, true));
  return { ...golden, elements, ...(r.chance(0.5) ? randomLimits(r) : {}) };
}

interface LiveSession {
  input: Omit<PriceSessionInput, 'charging_periods' | 'end_date_time'>;
  /** The session's periods as they stand at each update: the last one grows between updates. */
  updates: { periods: ChargingPeriod[]; end: string }[];
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * A session with an optional reservation, charging then parking (sometimes charging again), every
 * period reported at a few progress updates while it grows. Volumes come as JSON numbers or
 * decimal strings, durations as hours that often do not terminate (7 min = 0.11666… h).
 */
function liveSession(r: Random, tariff: TariffInput, periodCount: number): LiveSession {
  // Around the spring and autumn DST switches, a year end and ordinary days; local times vary with the zone.
  const day = r.pick(['2024-03-30T22:00:00Z', '2024-06-03T05:00:00Z', '2024-10-26T20:00:00Z', '2024-12-31T20:00:00Z', '2024-06-08T14:00:00Z']);
  const startMs = Date.parse(day) + r.int(0, 96) * 900_000;
  const timeZone = r.pick(['Europe/Amsterdam', 'UTC', 'America/New_York', 'Asia/Kolkata']);
  const final: { startMs: number; minutes: number; dims: (fraction: number) => CdrDimension[]; done: CdrDimension[]; tariffId: object }[] = [];
  let at = startMs;
  let phase: 'RESERVATION' | 'CHARGING' | 'PARKING' = r.chance(0.3) ? 'RESERVATION' : 'CHARGING';
  for (let i = 0; i < periodCount; i++) {
    if (phase === 'RESERVATION' && i > 0 && r.chance(0.5)) phase = 'CHARGING';
    else if (phase === 'CHARGING' && i > 0 && r.chance(0.25)) phase = 'PARKING';
    else if (phase === 'PARKING' && r.chance(0.1)) phase = 'CHARGING';
    const minutes = r.chance(0.05) ? 0 : r.int(1, 75);
    const hours = (fraction: number): number | string => (r.chance(0.5) ? (minutes * fraction) / 60 : new Dec(minutes * fraction).div(60).toDecimalPlaces(6).toString());
    const kind = phase;
    const kw = r.decimal(1, 50, 2);
    const power = r.chance(0.5);
    const current = r.chance(0.3) ? r.int(6, 64) : null;
    const exporting = r.chance(0.03); // net export (V2G): negative energy
    final.push({
      startMs: at,
      minutes,
      dims: (fraction) => {
        switch (kind) {
          case 'RESERVATION':
            return [{ type: 'RESERVATION_TIME', volume: hours(fraction) }];
          case 'PARKING':
            return [{ type: 'PARKING_TIME', volume: hours(fraction) }];
          case 'CHARGING': {
            const kwh = new Dec(kw).times(minutes * fraction).div(60).toDecimalPlaces(3);
            const dims: CdrDimension[] = [
              { type: 'ENERGY', volume: exporting ? kwh.negated().toString() : r.chance(0.5) ? kwh.toNumber() : kwh.toString() },
              { type: 'TIME', volume: hours(fraction) },
            ];
            if (power) dims.push({ type: 'MIN_POWER', volume: new Dec(kw).times(0.8).toDecimalPlaces(2).toNumber() }, { type: 'MAX_POWER', volume: Number(kw) });
            if (current !== null) dims.push({ type: 'MIN_CURRENT', volume: current }, { type: 'MAX_CURRENT', volume: current + 2 });
            if (r.chance(0.1)) dims.push({ type: 'STATE_OF_CHARGE', volume: r.int(10, 90) });
            return dims;
          }
        }
      },
      done: [],
      tariffId: r.chance(0.1) ? { tariff_id: tariff.id.toLowerCase() } : {},
    });
    const added = final.at(-1);
    if (added) added.done = added.dims(1); // once complete, a period is reported the same at every later update
    at += minutes * 60_000;
  }
  const updates: LiveSession['updates'] = [];
  for (const [k, period] of final.entries()) {
    // A few progress reports while period k is the last one, then its final volumes at the next period.
    for (const fraction of [...(r.chance(0.5) ? [r.next()] : []), 1]) {
      const periods = final.slice(0, k + 1).map((p, i) => ({
        start_date_time: iso(p.startMs),
        dimensions: i === k && fraction < 1 ? p.dims(fraction) : p.done,
        ...p.tariffId,
      }));
      updates.push({ periods, end: iso(period.startMs + Math.round(period.minutes * fraction * 60_000)) });
    }
  }
  return {
    input: { tariff, start_date_time: iso(startMs), time_zone: timeZone, reservation_expired: r.chance(0.1) },
    updates,
  };
}

const withoutBreakdown = ({ periods: _periods, ...totals }: PricingResult): Omit<PricingResult, 'periods'> => totals;

interface Coverage {
  updates: number;
  resumed: number;
  olderState: number;
  surplus: number;
  limited: number;
  unmatched: number;
  reservation: number;
  restrictedElementUsed: number;
}

/**
 * Prices a session update by update, resuming from a state each time (sometimes an older one than
 * the last: any earlier state of the session works), and compares every update with a full pricing.
 */
function checkLiveSession(session: LiveSession, label: string, coverage: Coverage): void {
  const history: LivePricingResult[] = [];
  for (const [u, update] of session.updates.entries()) {
    const at = `${label}, update ${u} (${update.periods.length} periods)`;
    const input = { ...session.input, charging_periods: update.periods, end_date_time: update.end };
    const full = priceSessionLive(input);
    if (u === session.updates.length - 1) assert.deepEqual(full.pricing, priceSession(input), `${at}: priceSessionLive without state prices like priceSession`);

    const previous = history.length > 3 && u % 5 === 0 ? history[history.length - 3] : history.at(-1);
    if (previous && previous !== history.at(-1)) coverage.olderState += 1;
    const from = previous?.state_period_count ?? 0;
    const resumed = previous
      ? priceSessionLive({ ...input, charging_periods: update.periods.slice(from), state_json: previous.state_json })
      : full;
    if (previous) coverage.resumed += 1;

    assert.deepEqual(withoutBreakdown(resumed.pricing), withoutBreakdown(full.pricing), `${at}: every total equals the full pricing`);
    assert.deepEqual(resumed.pricing.periods, full.pricing.periods.slice(from), `${at}: the breakdown is the full one's from period ${from} on`);
    assert.equal(resumed.state_period_count, update.periods.length - 1, `${at}: every period but the last is settled`);
    assert.equal(resumed.state_json, full.state_json, `${at}: the state equals the full pricing's`);
    history.push(resumed);

    coverage.updates += 1;
    const r = full.pricing;
    if ([r.billed_energy !== r.total_energy, r.billed_charging_time !== r.total_charging_time, r.billed_parking_time !== r.total_parking_time].some(Boolean)) coverage.surplus += 1;
    if (r.price_limit.excl_vat !== null || r.price_limit.incl_vat !== null) coverage.limited += 1;
    if (r.has_unmatched) coverage.unmatched += 1;
    if (r.total_reservation_cost.excl_vat !== '0.0000') coverage.reservation += 1;
    const restricted = new Set(session.input.tariff.elements.flatMap((el, i) => (el.restrictions && Object.keys(el.restrictions).length > 0 ? [i] : [])));
    if (r.periods.some((p) => p.lines.some((l) => l.element_index !== null && restricted.has(l.element_index)))) coverage.restrictedElementUsed += 1;
  }
}

describe('live pricing equals pricing every period at once', () => {
  test('seeded random tariffs (golden cases mutated, and generated) and random live sessions', () => {
    const coverage: Coverage = { updates: 0, resumed: 0, olderState: 0, surplus: 0, limited: 0, unmatched: 0, reservation: 0, restrictedElementUsed: 0 };
    for (let seed = 1; seed <= 200; seed++) {
      const r = random(seed);
      const tariff = r.chance(0.5) ? mutatedGoldenTariff(r) : generatedTariff(r);
      checkLiveSession(liveSession(r, tariff, r.int(1, 24)), `seed ${seed}`, coverage);
    }
    // The property is only as good as what it exercised: every feature must have been hit often.
    for (const [what, count] of Object.entries(coverage)) assert.ok(count >= 50, `only ${count} updates exercised ${what}`);
  });

  test('each golden CDR priced period by period gives the totals of pricing it whole', () => {
    const coverage: Coverage = { updates: 0, resumed: 0, olderState: 0, surplus: 0, limited: 0, unmatched: 0, reservation: 0, restrictedElementUsed: 0 };
    let resumable = 0;
    for (const folder of goldenFolders) {
      const dir = join(CASES_DIR, folder);
      const tariff = tariffSchema.omit({ last_updated: true }).parse(readJson(join(dir, 'tariff.json')));
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'tariff.json')) {
        const cdr = readJson(join(dir, file)) as { start_date_time: string; end_date_time: string; charging_periods: ChargingPeriod[] };
        const updates = cdr.charging_periods.map((_, k) => ({
          periods: cdr.charging_periods.slice(0, k + 1),
          end: cdr.charging_periods[k + 1]?.start_date_time ?? cdr.end_date_time,
        }));
        checkLiveSession({ input: { tariff, start_date_time: cdr.start_date_time, time_zone: 'UTC' }, updates }, `${folder}/${file}`, coverage);
        resumable += updates.length - 1;
      }
    }
    assert.equal(coverage.resumed, resumable, 'every update after a CDR\'s first period resumed from a state');
    assert.ok(resumable > 0, 'some golden CDRs have several periods');
  });

  test('a 1,000-period session: the state stays the same size and the last update equals the full pricing', () => {
    const tariff = goldenTariffs[goldenFolders.indexOf('first_hour_kwh_free')];
    assert.ok(tariff, 'the golden folder first_hour_kwh_free exists');
    const startMs = Date.parse('2024-06-03T08:00:00Z');
    const periods: ChargingPeriod[] = Array.from({ length: 1000 }, (_, i) => ({
      start_date_time: iso(startMs + i * 60_000),
      dimensions: i < 700 ? [{ type: 'ENERGY', volume: 0.18 }, { type: 'TIME', volume: '0.016667' }] : [{ type: 'PARKING_TIME', volume: 1 / 60 }],
    }));
    const base = { tariff, start_date_time: iso(startMs), time_zone: 'Europe/Amsterdam' };
    let state = '';
    let settled = 0;
    const sizes: number[] = [];
    let last: LivePricingResult | undefined;
    for (let k = 1; k <= periods.length; k++) {
      last = priceSessionLive({ ...base, charging_periods: periods.slice(settled, k), end_date_time: iso(startMs + k * 60_000), state_json: state });
      ({ state_json: state, state_period_count: settled } = last);
      sizes.push(state.length);
    }
    const full = priceSessionLive({ ...base, charging_periods: periods, end_date_time: iso(startMs + 1000 * 60_000) });
    assert.deepEqual(last?.pricing ? withoutBreakdown(last.pricing) : null, withoutBreakdown(full.pricing), 'the last live update equals the full pricing');
    assert.equal(state, full.state_json, 'and so does its state');
    assert.equal(full.pricing.total_energy, '126.0000', '700 × 0.18 kWh');
    // Decimals keep at most 40 significant digits: the state is bounded, whatever the session's length.
    const max = Math.max(...sizes);
    assert.ok(max < 2000, `the state stays small: at most ${max} characters`);
  });
});
