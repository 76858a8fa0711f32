import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  type Collection,
  type Database,
  type IndexSpec,
  OperationCounter,
  type StoredDocument,
} from '../collection.js';
import { checkFileLength, DamagedStoreError, quickCheck, quickCheckInBackground } from './integrity.js';
import { createCollectionTable, SqliteCollection } from './sqlite-collection.js';
import { explainOpenFailure, makeStoreDirectory } from './store-access.js';
import { type CheckpointPass, FALLBACK_AUTOCHECKPOINT_PAGES, WalCheckpointer } from './wal-checkpointer.js';

const require = createRequire(import.meta.url);

/**
 * What a commit survives. NORMAL (the default): a process crash loses nothing committed; a power
 * loss or OS crash may lose the last commits before the WAL was synced (at a checkpoint), never
 * the file's integrity. FULL: every commit is synced to disk before it is acknowledged.
 */
export type SyncMode = 'NORMAL' | 'FULL';

export interface SqliteOptions {
  sync?: SyncMode;
  /** Files up to this size are checked whole before the store opens; larger ones in a worker, once started (see checkInBackground). */
  checkSyncBytes?: number;
  /** Called when the background check of a large file finds damage (the server stops on it). */
  onDamage?: (error: Error) => void;
  /** Called when the background check could not run at all (the file is not known to be damaged). */
  onUnchecked?: (error: Error) => void;
  /** Called when a background checkpoint fails (once per kind of failure; the log then grows until one passes). */
  onCheckpointFailure?: (error: Error) => void;
}

const DEFAULT_CHECK_SYNC_BYTES = 256 * 1024 * 1024;
/** How long a writer waits for another process's write transaction before failing the operation. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * The embedded store: one SQLite database file (in WAL mode, so several server processes can
 * share it) or one in memory. Collections are tables of JSON documents; the handoff store has
 * its own tables (see SqliteHandoffStore).
 */
export class SqliteDatabase implements Database {
  readonly operations = new OperationCounter();
  private readonly opened = new Map<string, SqliteCollection<StoredDocument>>();
  /** The background integrity check of a large file, once started. */
  private integrity: Promise<void> | null = null;

  private constructor(
    readonly kind: 'embedded' | 'memory',
    readonly connection: BetterSqlite3.Database,
    readonly file: string | null,
    /** Starts the background check of a large file (null: checked whole at open, or in memory). */
    private readonly startCheck: (() => Promise<void>) | null = null,
    private readonly checkpointer: WalCheckpointer | null = null,
  ) {}

  static inMemory(): SqliteDatabase {
    const connection = new BetterSqlite3(':memory:');
    connection.pragma('journal_mode = MEMORY');
    return new SqliteDatabase('memory', connection, null);
  }

  /** Opens (creating) `file`, refusing a damaged one with DamagedStoreError. */
  static open(file: string, options: SqliteOptions = {}): SqliteDatabase {
    makeStoreDirectory(path.dirname(file));
    checkFileLength(file);
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    let connection: BetterSqlite3.Database;
    try {
      connection = new BetterSqlite3(file);
      connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      connection.pragma('journal_mode = WAL');
      connection.pragma(`synchronous = ${options.sync ?? 'NORMAL'}`);
      // Checkpoints run in a worker (see WalCheckpointer); this connection only if the log grows far.
      connection.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
      // Sorts and temporary indexes in memory: once open, the store needs no new file (EMFILE cannot reach it).
      connection.pragma('temp_store = MEMORY');
    } catch (error) {
      quickCheckFailed(file, explainOpenFailure(file, error));
    }
    const inline = size <= (options.checkSyncBytes ?? DEFAULT_CHECK_SYNC_BYTES);
    try {
      if (inline) quickCheck(connection, file);
    } catch (error) {
      connection.close();
      throw error;
    }
    const startCheck = inline
      ? null
      : () => {
          const integrity = quickCheckInBackground(file, require.resolve('better-sqlite3'));
          integrity.catch((error: Error) =>
            error instanceof DamagedStoreError ? options.onDamage?.(error) : options.onUnchecked?.(error),
          );
          return integrity;
        };
    const checkpointer = new WalCheckpointer(
      file,
      require.resolve('better-sqlite3'),
      options.sync ?? 'NORMAL',
      options.onCheckpointFailure ?? (() => {}),
    );
    return new SqliteDatabase('embedded', connection, file, startCheck, checkpointer);
  }

  /**
   * Starts the integrity check of a file too large to check at open (once: later calls return the same
   * promise), resolving when it passed. The server calls it once it listens: the check reads every page
   * (seconds at a million handoffs) in a worker thread that would otherwise take the second core and
   * the disk from start-up, and it stops the server on damage whenever it ends.
   */
  checkInBackground(): Promise<void> {
    this.integrity ??= this.startCheck?.() ?? Promise.resolve();
    return this.integrity;
  }

  async collection<T extends StoredDocument>(name: string, indexes: IndexSpec[] = []): Promise<Collection<T>> {
    let collection = this.opened.get(name);
    const table = documentTable(name);
    if (!collection) {
      createCollectionTable(this.connection, table, indexes);
      collection = new SqliteCollection<StoredDocument>(this.connection, name, table, this.operations);
      this.opened.set(name, collection);
    } else if (indexes.length > 0) {
      createCollectionTable(this.connection, table, indexes);
    }
    return collection as unknown as Collection<T>;
  }

  /** The checkpoint worker's next pass (a file store only; null in memory). */
  nextCheckpoint(): Promise<CheckpointPass> | null {
    return this.checkpointer?.nextPass() ?? null;
  }

  async ping(): Promise<void> {
    this.connection.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.connection.open) return;
    // The checkpoint worker's connection first: the last connection to close folds the log back into
    // the file and removes it (an explicit checkpoint here would hold up other processes still writing).
    await this.checkpointer?.stop();
    this.connection.close();
  }
}

/** The table of a document collection: prefixed, apart from the tables of native stores. */
export function documentTable(collection: string): string {
  return `doc_${collection}`;
}

/** Opening a file SQLite does not recognise is damage too, reported in the same words. */
function quickCheckFailed(file: string, error: unknown): never {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    throw new DamagedStoreError(file, (error as Error).message);
  throw error;
}
