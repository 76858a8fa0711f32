/**
 * The failures every store adapter reports in the same words, so the engine can decide on them
 * without knowing which database answered.
 */

/** A unique key is already taken. */
export class DuplicateKeyError extends Error {
  constructor(
    readonly collection: string,
    detail: string,
  ) {
    super(`Duplicate key in ${collection}: ${detail}`);
    this.name = 'DuplicateKeyError';
  }
}

/** A cursor that does not decode: a client error, not a crash. */
export class InvalidCursorError extends Error {
  constructor(message = 'The cursor is not valid for this list') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

/**
 * The store could not do what was asked (a failed write, a full disk, too many open files, a lost
 * primary). The operation it belongs to fails; the process and everything already stored live on.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`The store could not ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}
