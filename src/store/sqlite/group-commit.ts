import type BetterSqlite3 from 'better-sqlite3';
import { storeCall } from './sqlite-errors.js';

interface PendingWrite {
  operation: string;
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown out of the plain pass when one of its writes fails: its transaction rolls back, and the batch runs again. */
class WriteFailed extends Error {}

/**
 * Writes requested in one turn of the event loop commit together: one transaction, so one WAL
 * commit and one round of file locks for many handoffs' transitions. Each write behaves as if in a
 * savepoint of its own, in the order requested: one that fails rolls back alone and rejects alone,
 * and a write sees those before it. Nothing resolves before the commit: an acknowledged write is
 * durable as the store's sync mode says. If the commit itself fails, every write of the batch rejects.
 *
 * A savepoint and its release per write cost as much as a small write itself, and writes hardly ever
 * fail: the batch first runs plainly. Only if one of its writes throws is that transaction rolled
 * back and the batch run again from the start, each write in its own savepoint. So a write's `run`
 * may run twice: it must change nothing but the database, or change the same thing again.
 */
export class GroupCommit {
  private pending: PendingWrite[] = [];
  /** One transaction function each, made once (better-sqlite3 builds a wrapper per call of `transaction`). */
  private readonly inSavepoint: (run: () => unknown) => unknown;
  private readonly commitPlain: BetterSqlite3.Transaction<(batch: PendingWrite[]) => unknown[]>;
  private readonly commitInSavepoints: BetterSqlite3.Transaction<(batch: PendingWrite[]) => Outcome[]>;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly collection: string,
  ) {
    // A transaction function called inside another is a savepoint.
    this.inSavepoint = db.transaction((run: () => unknown) => run());
    this.commitPlain = db.transaction((batch: PendingWrite[]) => {
      const values: unknown[] = [];
      for (const write of batch) {
        try {
          values.push(write.run());
        } catch {
          throw new WriteFailed();
        }
      }
      return values;
    });
    this.commitInSavepoints = db.transaction((batch: PendingWrite[]) => batch.map((write) => this.runOne(write)));
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
    let values: unknown[];
    try {
      values = storeCall(this.collection, 'commit', () => this.commitPlain.immediate(batch));
    } catch (error) {
      if (error instanceof WriteFailed) this.flushInSavepoints(batch);
      else for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, index) => write.resolve(values[index]));
  }

  /** The batch again, each write in its own savepoint (a write of it failed when run plainly). */
  private flushInSavepoints(batch: PendingWrite[]): void {
    this.fatal = null;
    let outcomes: Outcome[];
    try {
      outcomes = storeCall(this.collection, 'commit', () => this.commitInSavepoints.immediate(batch));
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
