/**
 * How much one live update of a growing session costs in FerretDB, depending on how its charging
 * periods are stored. Not a test (it asserts nothing): the measurement behind the layout of
 * src/adapters/session-store.ts, run by hand:
 *
 *   node --import tsx services/sessions/test/period-storage.measure.ts
 *
 * It starts its own FerretDB (SQLite) in a temporary folder and, for sessions of 0 to 2,000
 * periods, times (median of ROUNDS) one update and one read of a session in four layouts:
 * - whole: one document with every period, replaced on each update (compare-and-set on rev);
 * - chunked: a head document with the periods after the last full chunk (fewer than CHUNK),
 *   replaced on each update, and each full chunk of CHUNK periods written once as a document;
 * each with the periods (and the session record) as BSON documents ("docs") or as JSON text in
 * one string field ("text").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { freePort, startFerret } from '@voltmesh/testing';

const CHUNK = Number(process.env['CHUNK'] ?? 50);
const ROUNDS = 20;
const SIZES = [0, 100, 500, 1_000, 2_000];

interface Doc {
  _id: string;
  rev: number;
  [field: string]: unknown;
}

type Encode = (value: unknown) => unknown;
const asDocs: Encode = (value) => value;
const asText: Encode = (value) => JSON.stringify(value);

const period = (index: number) => ({
  start_date_time: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
  dimensions: [
    { type: 'ENERGY', volume: 0.183 },
    { type: 'TIME', volume: 0.0167 },
    { type: 'MAX_POWER', volume: 11.04 },
  ],
  tariff_id: 'TARIFF-AC-1',
});

const record = { id: 'S', status: 'ACTIVE', kwh: 12.5, cdr_token: { uid: 'X', contract_id: 'NL-VLM-C1' }, tariff_json: '{"id":"TARIFF-AC-1"}'.padEnd(1_500, ' '), pricing: { state_json: ''.padEnd(400, 'x') } };
const head = (encode: Encode, id: string, rev: number, periods: unknown[], chunks = 0): Doc => ({ _id: id, rev, role: 'CPO', status: 'ACTIVE', record: encode(record), periods: encode(periods), chunks });

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timeIt(task: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function repeat(times: number, task: (round: number) => Promise<unknown>): Promise<number> {
  const results: number[] = [];
  for (let round = 0; round < times; round += 1) results.push(await timeIt(() => task(round)));
  return median(results);
}

/** Update and read times of one layout at one session length. */
async function measure(db: Db, layout: string, encode: Encode, size: number): Promise<{ wholeUpdate: number; chunkUpdate: number; wholeRead: number; chunkRead: number }> {
  const whole: Collection<Doc> = db.collection<Doc>(`${layout}_whole`);
  const heads: Collection<Doc> = db.collection<Doc>(`${layout}_heads`);
  const chunks: Collection<Doc> = db.collection<Doc>(`${layout}_chunks`);
  const all = Array.from({ length: size + ROUNDS }, (_, index) => period(index));
  const id = `NL*VLT*S${size}`;
  await whole.insertOne(head(encode, id, 1, all.slice(0, size)));
  const sealed = Math.floor(size / CHUNK);
  for (let chunk = 0; chunk < sealed; chunk += 1) await chunks.insertOne({ _id: `${id}#${chunk}`, rev: 0, periods: encode(all.slice(chunk * CHUNK, (chunk + 1) * CHUNK)) });
  await heads.insertOne(head(encode, id, 1, all.slice(sealed * CHUNK, size), sealed));

  const wholeUpdate = await repeat(ROUNDS, (round) => whole.replaceOne({ _id: id, rev: round + 1 }, head(encode, id, round + 2, all.slice(0, size + round + 1))));
  const chunkUpdate = await repeat(ROUNDS, async (round) => {
    const count = size + round + 1;
    const full = Math.floor(count / CHUNK);
    // A chunk fills up: written once, then the head keeps only the rest.
    if (full * CHUNK === count && full > 0) await chunks.insertOne({ _id: `${id}#${full - 1}`, rev: 0, periods: encode(all.slice((full - 1) * CHUNK, full * CHUNK)) });
    await heads.replaceOne({ _id: id, rev: round + 1 }, head(encode, id, round + 2, all.slice(full * CHUNK, count), full));
  });
  const wholeRead = await repeat(10, () => whole.findOne({ _id: id }));
  const chunkRead = await repeat(10, async () => {
    const stored = await heads.findOne({ _id: id });
    for (let chunk = 0; chunk < Number(stored?.['chunks'] ?? 0); chunk += 1) await chunks.findOne({ _id: `${id}#${chunk}` });
  });
  return { wholeUpdate, chunkUpdate, wholeRead, chunkRead };
}

const dir = mkdtempSync(join(tmpdir(), 'voltmesh-period-storage-'));
const ferret = await startFerret({ dir, port: await freePort(), debugPort: await freePort() });
const client = await new MongoClient(ferret.url).connect();
try {
  const db = client.db('period_storage_measure');
  console.log(`median ms; chunks of ${CHUNK} periods`);
  console.log('periods | layout | whole: update | chunked: update | whole: read | chunked: read');
  for (const size of SIZES) {
    for (const [layout, encode] of [
      ['docs', asDocs],
      ['text', asText],
    ] as const) {
      const times = await measure(db, layout, encode, size);
      const cells = [times.wholeUpdate, times.chunkUpdate, times.wholeRead, times.chunkRead].map((value) => value.toFixed(1).padStart(9));
      console.log(`${String(size).padStart(7)} | ${layout}   | ${cells.join(' | ')}`);
    }
  }
} finally {
  await client.close();
  await ferret.stop();
  rmSync(dir, { recursive: true, force: true });
}
