import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '@voltmesh/telemetry';
import type { DecisionQuery, DecisionRecord } from '../domain/decision.js';
import { DecisionLog, type DecisionSink } from './decision-log.js';

class FakeSink implements DecisionSink {
  readonly batches: DecisionRecord[][] = [];
  failing = false;
  async insertMany(records: DecisionRecord[]): Promise<void> {
    if (this.failing) throw new Error('database down');
    this.batches.push([...records]);
  }
  async list(query: DecisionQuery): Promise<DecisionRecord[]> {
    return this.batches.flat().filter((record) => record.uid === query.uidType.split('*')[0]);
  }
}

let sequence = 0;
const aDecision = (uid = 'CARD1'): DecisionRecord => {
  sequence += 1;
  const id = String(sequence).padStart(6, '0');
  return { id, authorization_reference: id, country_code: 'DE', party_id: 'EMS', uid, type: 'RFID', allowed: 'ALLOWED', decided_by: 'LOCAL', role: 'CPO', connection_id: '', location_id: '', evse_uids: [], decided_at: `2026-05-10T10:00:00.${id.slice(-3)}Z`, duration_ms: 1 };
};
const options = { batchSize: 3, flushMs: 60_000, maxBuffered: 5 };
const logger = createLogger('test', 'silent');

describe('decision log', () => {
  test('recording never writes on the spot: a full batch or a flush does', async () => {
    const sink = new FakeSink();
    const log = new DecisionLog(sink, options, logger);
    log.record(aDecision());
    log.record(aDecision());
    assert.equal(sink.batches.length, 0);
    log.record(aDecision()); // the batch is full
    await log.flush();
    assert.deepEqual(sink.batches.map((batch) => batch.length), [3]);
  });

  test('reads include decisions not yet written, newest first', async () => {
    const sink = new FakeSink();
    const log = new DecisionLog(sink, options, logger);
    const [older, newer] = [aDecision(), aDecision()];
    log.record(older!);
    await log.flush();
    log.record(newer!);
    log.record(aDecision('OTHER'));
    const listed = await log.list({ uidType: 'CARD1*RFID', limit: 10 });
    assert.deepEqual(listed.map((record) => record.id), [newer!.id, older!.id]);
  });

  test('a failed write keeps the decisions (bounded, oldest dropped) for the next flush; stop writes the rest', async () => {
    const sink = new FakeSink();
    const log = new DecisionLog(sink, options, logger);
    sink.failing = true;
    const decisions = Array.from({ length: 7 }, () => aDecision());
    for (const decision of decisions) log.record(decision);
    await log.flush();
    assert.equal(log.buffered, 5, 'bounded');
    sink.failing = false;
    await log.stop();
    assert.deepEqual(sink.batches.flat().map((record) => record.id), decisions.slice(2).map((decision) => decision.id));
    log.record(aDecision()); // after stop (calls still draining): written at once
    await log.flush();
    assert.equal(log.buffered, 0);
  });
});
