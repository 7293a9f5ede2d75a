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

test('runAll waits for every key it names, holds them while it runs, and two of them over the same keys do not deadlock', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const task = (name: string, ms: number) => async () => {
    log.push(`${name} start`);
    await tick(ms);
    log.push(`${name} end`);
  };
  await Promise.all([
    lock.run('b', task('b1', 20)),
    lock.runAll(['c', 'b', 'a', 'b'], task('all1', 5)),
    lock.run('a', task('a2', 1)),
    lock.runAll(['a', 'c'], task('all2', 1)),
  ]);
  // all1 holds a and c while it waits for b: a2 and all2 wait for it.
  assert.deepEqual(log, ['b1 start', 'b1 end', 'all1 start', 'all1 end', 'a2 start', 'a2 end', 'all2 start', 'all2 end']);
  assert.equal(lock.size, 0, 'idle keys are forgotten');
});
