/*
 * Price-engine throughput: prices every golden CDR (shared/ocpi/tariff-cases) in a loop on one
 * core for ~5 s, and, in the same run, a trivial baseline on the same CDRs (JSON.parse +
 * stringify) so the figure can be compared across machines as a ratio.
 * Run: node --import tsx bench/price-engine.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { priceCdr, type CdrInput, type TariffInput } from '../services/tariffs/src/domain/pricing/index.js';

const CASES_DIR = resolve(import.meta.dirname, '../../shared/ocpi/tariff-cases');
const SECONDS = 5;

const cases: { cdr: CdrInput; tariff: TariffInput; text: string }[] = [];
for (const folder of readdirSync(CASES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())) {
  const dir = join(CASES_DIR, folder.name);
  const tariff = JSON.parse(readFileSync(join(dir, 'tariff.json'), 'utf8')) as TariffInput;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'tariff.json')) {
    const text = readFileSync(join(dir, file), 'utf8');
    cases.push({ cdr: JSON.parse(text) as CdrInput, tariff, text });
  }
}
const periodsPerRound = cases.reduce((n, c) => n + c.cdr.charging_periods.length, 0);

/** Runs `once` over all cases for `seconds`; returns CDRs per second. */
function rate(seconds: number, once: (c: (typeof cases)[number]) => unknown): number {
  let done = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(seconds * 1e9);
  while (process.hrtime.bigint() - start < budget) {
    for (const c of cases) if (once(c)) sink++;
    done += cases.length;
  }
  if (sink < 0) console.log(sink); // keeps the work observable
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

rate(0.5, (c) => priceCdr(c.cdr, c.tariff, { time_zone: 'UTC' })); // warm-up
const engine = rate(SECONDS, (c) => priceCdr(c.cdr, c.tariff, { time_zone: 'UTC' }));
const baseline = rate(1, (c) => JSON.stringify(JSON.parse(c.text)));
const periods = (engine * periodsPerRound) / cases.length;

console.log(`price engine: ${Math.round(engine)} CDRs/s (${Math.round(periods)} periods/s) over ${cases.length} golden CDRs`);
console.log(`baseline JSON.parse+stringify: ${Math.round(baseline)} CDRs/s; ratio engine/baseline: ${(engine / baseline).toFixed(3)}`);
