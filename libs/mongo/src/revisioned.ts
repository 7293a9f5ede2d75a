import type { Collection } from 'mongodb';
import { isDuplicateKeyError, mongoCall } from './connect.js';

/** A document whose every write states the revision it replaces. */
export interface Revisioned {
  _id: string;
  rev: number;
}

/**
 * Writes the next revision of a document: an insert when `expectedRev` is undefined (false if
 * someone inserted first), else a replace of exactly that revision (false if someone wrote
 * since). The caller re-reads and re-applies its change on false (optimistic concurrency).
 */
export async function writeRevision<T extends Revisioned>(collection: Collection<T>, document: T, expectedRev: number | undefined, what: string): Promise<boolean> {
  if (expectedRev === undefined) return insertIfAbsent(collection, document, what);
  const filter = { _id: document._id, rev: expectedRev } as Parameters<Collection<T>['replaceOne']>[0];
  const result = await mongoCall(`update ${what}`, () => collection.replaceOne(filter, document));
  return result.matchedCount === 1;
}

/** Inserts a document unless one with its `_id` exists: true when this call inserted it. */
export async function insertIfAbsent<T extends { _id: string }>(collection: Collection<T>, document: T, what: string): Promise<boolean> {
  return mongoCall(`insert ${what}`, async () => {
    try {
      await collection.insertOne(document as Parameters<Collection<T>['insertOne']>[0]);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  });
}
