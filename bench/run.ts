/**
 * `make bench`: every benchmark, one after the other (each starts and stops its own mesh on
 * its own Kafka and FerretDB under .voltmesh-bench/), printing its figures and ratios.
 * Benchmarks are measurements, not pass/fail tests; docs/benchmarks.md records the results.
 *
 *   make bench                      # all
 *   make bench BENCH=crawl          # one (price-engine, ingress, freshness, fanout, crawl, authorize, cpo-authorize, commands, cdrs, live-session)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@voltmesh/testing';

const ALL = ['price-engine', 'ingress', 'freshness', 'fanout', 'crawl', 'authorize', 'cpo-authorize', 'commands', 'cdrs', 'live-session'];
const chosen = (process.env['BENCH'] ?? '').split(',').filter(Boolean);
const names = chosen.length > 0 ? chosen : ALL;
let failed = 0;
for (const name of names) {
  if (!ALL.includes(name)) throw new Error(`unknown benchmark ${name}; one of ${ALL.join(', ')}`);
  console.log(`\n== ${name} ==`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot(), 'bench', `${name}.ts`)], { stdio: 'inherit' });
  if (run.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
