import { MongoBulkWriteError, type Collection } from 'mongodb';
import { isAppError, unavailable } from '@voltmesh/errors';
import { mongoCall } from '@voltmesh/mongo';

/**
 * mongoCall, plus: FerretDB on SQLite answers a write that met another one's lock with
 * "database is locked (SQLITE_BUSY)" as an InternalError. That is contention, not a bug, so it
 * is retryable (UNAVAILABLE) here instead of INTERNAL (which would send a message to the DLQ).
 */
export async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await mongoCall(what, call);
  } catch (error) {
    if (isAppError(error) && error.code === 'INTERNAL' && /SQLITE_BUSY|database is locked/.test(String((error.cause as Error | undefined)?.message))) {
      throw unavailable(`mongo ${what}: database busy`, error.cause);
    }
    throw error;
  }
}

/**
 * Inserts documents unless their `_id` exists (one unordered insertMany: FerretDB inserts a batch
 * far faster than one document at a time). Resolves with the `_id`s this call inserted.
 */
export async function insertAbsent<T extends { _id: string }>(collection: Collection<T>, documents: readonly T[], what: string): Promise<Set<string>> {
  if (documents.length === 0) return new Set();
  return storeCall(`insert ${what}`, async () => {
    try {
      await collection.insertMany(documents as Parameters<Collection<T>['insertMany']>[0], { ordered: false });
      return new Set(documents.map((document) => document._id));
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const failures = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      const other = failures.find((failure) => failure.code !== 11000);
      if (other) throw error;
      const duplicates = new Set(failures.map((failure) => failure.index));
      return new Set(documents.filter((_, index) => !duplicates.has(index)).map((document) => document._id));
    }
  });
}
