/**
 * `make chaos`: the long form of the chaos suite. Its own Kafka, FerretDB and mesh under
 * `.voltmesh-chaos/` (CHAOS_DIR), simulated partners and our demo network under load, then
 * kill -9 of every mesh process, of Kafka and of FerretDB, and a partner eMSP that is down,
 * answers 500, 429, too slowly or with truncated JSON — repeated for CHAOS_MINUTES. Prints
 * the figures (writes sent, acknowledged, found; CDRs; time to converge; memory) and exits 1
 * when a check fails.
 *
 *   CHAOS_MINUTES=10 CHAOS_PARTNER_DOWN_S=120 make chaos
 */
import { repoRoot } from '@voltmesh/testing';
import { formatReport, runChaos } from './chaos/scenario.js';
import { longSettings } from './chaos/settings.js';
import { verdicts } from './chaos/verdicts.js';

const settings = { ...longSettings(repoRoot()), log: (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`) };
console.log(`chaos (long form): ${settings.rounds} round(s) in ${settings.dir}`);
const report = await runChaos(settings);
console.log(formatReport(report));
const failed = verdicts(report, { failOnMemoryTrend: true });
for (const failure of failed) console.log(`FAIL ${failure}`);
console.log(failed.length === 0 ? 'chaos: every check passed' : `chaos: ${failed.length} check(s) failed`);
process.exit(failed.length === 0 ? 0 : 1);
