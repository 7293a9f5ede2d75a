/**
 * The chaos suite, short form (`make test`): the whole mesh on its own Kafka and FerretDB under
 * load from simulated partners and our demo network, kill -9 of every mesh process, of Kafka and
 * of FerretDB, a partner eMSP down / 500 / 429 / too slow / truncated JSON; then the checker.
 * The long form with printed figures is `make chaos` (scripts/chaos.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { testInfra } from '@voltmesh/testing';
import { formatReport, runChaos, type ChaosReport } from '../../scripts/chaos/scenario.js';
import { shortSettings } from '../../scripts/chaos/settings.js';

describe('chaos (short form): nothing acknowledged is lost, every partner converges', () => {
  let report: ChaosReport;

  before(async () => {
    report = await runChaos({ ...shortSettings(join(testInfra().stateDir, 'chaos')), log: (line) => console.log(`chaos: ${line}`) });
    console.log(formatReport(report));
  });

  test('every partner write acknowledged with 1000 is in the mesh exactly once', () => {
    const writes = report.writes;
    assert.ok(writes.sent > 50, `the partner CPO sent ${writes.sent} writes`);
    assert.equal(writes.pending, 0, 'every write was eventually acknowledged or refused');
    assert.ok(writes.acknowledged > 0 && (writes.byKind['cdr']?.acknowledged ?? 0) > 0, `statuses, sessions and CDRs acknowledged: ${JSON.stringify(writes.byKind)}`);
    assert.equal(writes.found, writes.acknowledged, writes.problems.join('\n'));
  });

  test('every CDR of ours reaches its eMSP once the partner recovers, never POSTed again after it was acknowledged', () => {
    const cdrs = report.ourCdrs;
    assert.ok(cdrs.ours > 0, 'sessions at our chargers produced CDRs');
    assert.equal(cdrs.delivered, cdrs.ours, cdrs.problems.join('\n'));
    assert.equal(cdrs.duplicatesAfterAck, 0, 'no CDR POSTed after the eMSP acknowledged it');
  });

  test("every partner eMSP's view of our EVSE statuses converges to ours", () => {
    for (const [partner, mismatches] of Object.entries(report.views.mismatches)) assert.deepEqual(mismatches, [], `${partner} differs`);
    assert.ok(report.views.evses > 0, 'EVSEs were compared');
  });

  test('no consumer group is stuck: lag 0 at the end', () => {
    assert.ok(report.lag.groups >= 8, `the mesh's groups were read (${report.lag.groups})`);
    assert.deepEqual(report.lag.lagging, [], 'no lag');
  });

  test('while Kafka is down, partner writes are answered with an OCPI 3xxx error, never 1000', () => {
    assert.equal(report.kafkaDown.length, 3, 'three writes probed');
    for (const probe of report.kafkaDown) {
      const status = probe.answer.status ?? 0;
      assert.ok(status >= 3000 && status < 4000, `${probe.write}: HTTP ${probe.answer.http} OCPI ${probe.answer.status ?? '-'} after ${probe.answer.ms} ms ${probe.answer.error ?? probe.answer.message ?? ''}`);
    }
    assert.equal(report.kafkaDownAcknowledged, 0, 'no write acknowledged while Kafka was down');
  });

  test('the mesh converges after each fault, and memory is sampled for every process', () => {
    for (const convergence of report.convergences) assert.ok(convergence.converged, `after ${convergence.after}: ${convergence.problems.join('; ')}`);
    const names = report.memory.map((process) => process.name).sort();
    assert.deepEqual(names, ['authorization', 'billing', 'dispatcher', 'ferretdb', 'kafka', 'locations', 'partner-gateway', 'sessions', 'tariffs'], 'every process sampled');
    for (const process of report.memory) assert.ok(process.incarnations >= 2, `${process.name} was killed and restarted (${process.incarnations} pids)`);
  });
});
