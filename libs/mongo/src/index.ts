export { connectMongo, isDuplicateKeyError, mongoCall } from './connect.js';
export type { MongoHandle } from './connect.js';
export { KeyedLock } from './keyed-lock.js';
export { writeRevision, insertIfAbsent } from './revisioned.js';
export type { Revisioned } from './revisioned.js';
