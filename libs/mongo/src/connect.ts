import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { AppError, unavailable } from '@voltmesh/errors';
import { traceCommands } from './command-spans.js';

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/**
 * Connects to MongoDB (or FerretDB locally) and checks the server answers. Each service
 * passes its own database name: a service owns its database and reads no other.
 */
export async function connectMongo(url: string, dbName: string): Promise<MongoHandle> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    // FerretDB runs no replica set locally; retryable writes need one.
    retryWrites: false,
    // An absent optional field stays absent: stored as null it would come back as a value.
    ignoreUndefined: true,
    appName: dbName,
    // Command events feed the per-command trace spans.
    monitorCommands: true,
  });
  traceCommands(client);
  try {
    await client.connect();
    const db = client.db(dbName);
    await db.command({ ping: 1 });
    return { client, db, close: () => client.close() };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw unavailable(`mongo at ${redactUrl(url)} is not reachable`, error);
  }
}

/** Unique-index violation: the caller's write lost a race or repeats an earlier one. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * Adapters wrap driver calls with this so driver errors end at the adapter: network and
 * selection failures are retryable (UNAVAILABLE), anything else is INTERNAL.
 */
export async function mongoCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const name = error instanceof Error ? error.name : '';
    if (/Network|Selection|Timeout|PoolCleared|NotPrimary/.test(name)) throw unavailable(`mongo ${what} failed`, error);
    throw new AppError('INTERNAL', `mongo ${what} failed`, { cause: error });
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
