/**
 * The test runner behind `make test`: starts a real one-node Kafka and a FerretDB on free
 * ports in a fresh state folder (independent of `make up`), runs every *.test.ts with node's
 * test runner, then stops them. Its last lines are node's own summary.
 *
 *   pnpm test                      # everything
 *   pnpm test -- libs/kafka        # only files under these paths
 *   VOLTMESH_TEST_DIR=.voltmesh-test-b pnpm test -- services/x   # a second run beside the first
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { freePort, repoRoot, startFerret, startKafka } from '@voltmesh/testing';

const root = repoRoot();
// Its own folder per run, so two runs side by side never share (or delete) each other's servers.
const stateDir = resolve(root, process.env['VOLTMESH_TEST_DIR'] ?? '.voltmesh-test');
const filters = process.argv.slice(2).filter((arg) => arg !== '--');

function findTests(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) findTests(path, found);
    else if (entry.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const files = ['libs', 'services', 'test']
  .flatMap((dir) => findTests(join(root, dir)))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.startsWith(filter)))
  .sort();

rmSync(stateDir, { recursive: true, force: true });
const started = Date.now();
const [kafkaPort, controllerPort, mongoPort, mongoDebugPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const [kafka, ferret] = await Promise.all([
  startKafka({ dir: join(stateDir, 'kafka'), port: kafkaPort, controllerPort, requestLog: true }),
  startFerret({ dir: join(stateDir, 'ferretdb'), port: mongoPort, debugPort: mongoDebugPort }),
]);
console.log(`test infra: Kafka ${kafka.brokers.join(',')} and FerretDB ${ferret.url} ready in ${Date.now() - started} ms; ${files.length} test files`);

const stopInfra = async (): Promise<void> => {
  await Promise.all([kafka.stop(), ferret.stop()]);
};
process.on('SIGINT', () => void stopInfra().then(() => process.exit(130)));
process.on('SIGTERM', () => void stopInfra().then(() => process.exit(143)));

const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      VOLTMESH_TEST_KAFKA_BROKERS: kafka.brokers.join(','),
      VOLTMESH_TEST_MONGO_URL: ferret.url,
      VOLTMESH_TEST_STATE_DIR: stateDir,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    },
  });
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
});
await stopInfra();
process.exit(code);
