import { DuplicateKeyError, StoreUnavailableError } from '../../engine/kernel/ports/store-errors.js';

/** SQLite's result codes for a taken primary or unique key. */
const DUPLICATE_CODES = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);

/**
 * Runs one store operation, reporting a taken key as DuplicateKeyError and any other failure of the
 * database (a full disk, an I/O error, too many open files, a lock held too long) as
 * StoreUnavailableError, which fails the operation and nothing else.
 */
export function storeCall<T>(collection: string, operation: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && DUPLICATE_CODES.has(code)) throw new DuplicateKeyError(collection, (error as Error).message);
    if (code?.startsWith('SQLITE_')) throw new StoreUnavailableError(`${operation} ${collection}`, error);
    throw error;
  }
}
