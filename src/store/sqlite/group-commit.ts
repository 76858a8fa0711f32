import type BetterSqlite3 from 'better-sqlite3';
import { storeCall } from './sqlite-errors.js';

interface PendingWrite {
  operation: string;
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Writes requested in one turn of the event loop commit together: one transaction, so one WAL
 * commit and one round of file locks for many handoffs' transitions. Each write runs in a savepoint
 * of its own, in the order requested: one that fails rolls back alone and rejects alone, and a
 * write sees those before it. Nothing resolves before the commit: an acknowledged write is durable
 * as the store's sync mode says. If the commit itself fails, every write of the batch rejects.
 */
export class GroupCommit {
  private pending: PendingWrite[] = [];
  /** One transaction function each, made once (better-sqlite3 builds a wrapper per call of `transaction`). */
  private readonly inSavepoint: (run: () => unknown) => unknown;
  private readonly commitBatch: BetterSqlite3.Transaction<(batch: PendingWrite[]) => Outcome[]>;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly collection: string,
  ) {
    // A transaction function called inside another is a savepoint.
    this.inSavepoint = db.transaction((run: () => unknown) => run());
    this.commitBatch = db.transaction((batch: PendingWrite[]) => batch.map((write) => this.runOne(write)));
  }

  /** The failure that ended the whole transaction of the batch being committed, if one did. */
  private fatal: unknown = null;

  private runOne(write: PendingWrite): Outcome {
    // Some failures (a full disk, an I/O error) end the whole transaction, not just the savepoint:
    // what follows must not run outside it, and the commit then fails, rejecting the batch (what
    // looked done was rolled back with it).
    if (!this.db.inTransaction) return { ok: false, error: this.fatal };
    try {
      return { ok: true, value: storeCall(this.collection, write.operation, () => this.inSavepoint(write.run)) };
    } catch (error) {
      if (!this.db.inTransaction) this.fatal ??= error;
      return { ok: false, error };
    }
  }

  submit<T>(operation: string, run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ operation, run, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    this.fatal = null;
    let outcomes: Outcome[];
    try {
      outcomes = storeCall(this.collection, 'commit', () => this.commitBatch.immediate(batch));
    } catch (error) {
      for (const write of batch) write.reject(this.fatal ?? error);
      return;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }
}
