import {
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { DuplicateKeyError, StoreUnavailableError } from '../../engine/kernel/ports/store-errors.js';

const DUPLICATE_KEY = 11000;

/** Server error labels under which the driver (or a retry) may succeed later: the store is unavailable, not wrong. */
const TRANSIENT_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool', 'SystemOverloadedError'];

/**
 * A taken unique key. MongoDB says E11000 everywhere; FerretDB 1.x does on insert, but an update
 * that would take a uniquely indexed value fails with its SQLite backend's message (code 1).
 */
export function isDuplicateKey(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    (error.code === DUPLICATE_KEY || /UNIQUE constraint failed/.test(error.message))
  );
}

/** The server did not answer or could not do it now: worth trying again later. */
function isTransient(error: unknown): boolean {
  return (
    // FerretDB's SQLite backend gave up waiting for its write lock (an InternalError, code 1).
    (error instanceof MongoServerError && /SQLITE_BUSY|database is locked/.test(error.message)) ||
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoTopologyClosedError ||
    (error instanceof MongoServerError &&
      (TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label)) || error.codeName === 'OutOfDiskSpace')) ||
    // A pool cleared after a network error fails the operations that were waiting in it.
    (error instanceof MongoError && error.name === 'MongoPoolClearedError')
  );
}

/** A taken key as DuplicateKeyError; a lost server, a network fault or a full disk as StoreUnavailableError (reads too). */
export function translateMongoError(collection: string, error: unknown): never {
  if (isDuplicateKey(error)) {
    const keyValue = (error as MongoServerError).keyValue;
    throw new DuplicateKeyError(collection, keyValue ? JSON.stringify(keyValue) : (error as Error).message);
  }
  if (isTransient(error)) throw new StoreUnavailableError(`use ${collection}`, error);
  throw error;
}
