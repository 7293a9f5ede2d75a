import { randomBytes } from 'node:crypto';

export interface TestInfra {
  kafkaBrokers: string[];
  mongoUrl: string;
  /** A folder of this test run for logs and pid files. */
  stateDir: string;
  /** A name no other test of this run uses (databases, topics' consumer groups). */
  unique(prefix: string): string;
}

/**
 * The real Kafka and FerretDB that the test runner (test/run.ts) started for this run, read
 * from the variables it exports. Tests that need them fail loudly when run some other way.
 */
export function testInfra(env: NodeJS.ProcessEnv = process.env): TestInfra {
  const brokers = env['VOLTMESH_TEST_KAFKA_BROKERS'];
  const mongoUrl = env['VOLTMESH_TEST_MONGO_URL'];
  const stateDir = env['VOLTMESH_TEST_STATE_DIR'];
  if (!brokers || !mongoUrl || !stateDir) {
    throw new Error('integration tests need the real Kafka and FerretDB of a test run: use `make test` (or `pnpm test -- <files>`)');
  }
  return {
    kafkaBrokers: brokers.split(','),
    mongoUrl,
    stateDir,
    unique: (prefix) => `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
  };
}
