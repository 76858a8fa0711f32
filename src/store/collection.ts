/**
 * The small document-collection interface every adapter implements, in the MongoDB
 * query/update dialect ($eq, $in, $lt, $or…; $set, $inc, $push, $unset).
 * Repositories are written once against it.
 */
export type Filter = Record<string, unknown>;
export type Update = Record<string, unknown>;
export type SortSpec = Record<string, 1 | -1>;

export interface FindOptions {
  sort?: SortSpec;
  limit?: number;
  skip?: number;
}

export interface StoredDocument {
  _id: string;
}

/**
 * Some fields of the documents matching `keep`, kept in each process's memory and answered from
 * there: for queries asked often (the scheduler's, several times a second) that a server cannot
 * answer from an index. Only an adapter whose server reads the whole collection for them keeps one
 * (FerretDB); other processes' writes reach it through the change log, within a poll.
 */
export interface MirrorSpec {
  keep: Filter;
  fields: string[];
}

export interface Collection<T extends StoredDocument> {
  /** The in-memory copy of the MirrorSpec the collection was opened with, where the adapter keeps one (read only). */
  readonly mirror?: Collection<T>;
  /** Throws DuplicateKeyError when `_id` or a unique index already holds the value. */
  insertOne(doc: T): Promise<void>;
  /** Inserts all or none of the documents. */
  insertMany(docs: T[]): Promise<void>;
  /**
   * Inserts the documents in order, skipping those whose `_id` is stored already: an append that may be
   * repeated (a log). Nothing is undone: after a failure the documents before it stay, so readers never
   * see one appear and vanish again.
   */
  appendMany(docs: T[]): Promise<void>;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  /**
   * Atomically applies `update` to the first document matching `filter` and returns it as
   * updated, or null when none matched: the compare-and-set every state change goes through.
   * `unlessBusy`: also null, without waiting, while another process is writing the document (an
   * adapter that locks documents to make this atomic; for writes as well left to that process).
   */
  findOneAndUpdate(
    filter: Filter,
    update: Update,
    options?: { upsert?: boolean; unlessBusy?: boolean },
  ): Promise<T | null>;
  updateMany(filter: Filter, update: Update): Promise<number>;
  deleteOne(filter: Filter): Promise<boolean>;
  deleteMany(filter: Filter): Promise<number>;
}

export interface IndexSpec {
  fields: string[];
  unique?: boolean;
}

export interface Database {
  readonly kind: 'embedded' | 'memory' | 'mongo';
  /** Opens (creating if needed) a collection with the given indexes (and a mirror, where the adapter keeps them). */
  collection<T extends StoredDocument>(
    name: string,
    indexes?: IndexSpec[],
    options?: { mirror?: MirrorSpec },
  ): Promise<Collection<T>>;
  /** Throws when the store does not answer. */
  ping(): Promise<void>;
  /** Round trips made so far; lets tests and benchmarks count store reads. */
  readonly operations: OperationCounter;
  /** What the server is and how other processes' changes are followed, where that varies (MongoDB): for the log and `/ready`. */
  describe?(): Record<string, string>;
  /** Starts the checks an adapter leaves until the server takes requests (SQLite: the integrity check of a large file). */
  checkInBackground?(): Promise<void>;
  close(): Promise<void>;
}

export class OperationCounter {
  reads = 0;
  writes = 0;
  reset(): void {
    this.reads = 0;
    this.writes = 0;
  }
}

export { DuplicateKeyError } from '../engine/kernel/ports/store-errors.js';
