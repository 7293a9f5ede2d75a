import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedLock } from './keyed-lock.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('tasks of one key run one at a time in call order; other keys run alongside; failures do not block the queue', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const task = (name: string, ms: number, fail = false) => async () => {
    log.push(`${name} start`);
    await tick(ms);
    log.push(`${name} end`);
    if (fail) throw new Error(name);
    return name;
  };
  const results = await Promise.allSettled([lock.run('a', task('a1', 20, true)), lock.run('a', task('a2', 1)), lock.run('b', task('b1', 5))]);
  assert.deepEqual(results.map((result) => result.status), ['rejected', 'fulfilled', 'fulfilled']);
  assert.deepEqual(log, ['a1 start', 'b1 start', 'b1 end', 'a1 end', 'a2 start', 'a2 end']);
  assert.equal(lock.size, 0, 'idle keys are forgotten');
});
