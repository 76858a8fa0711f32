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

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly collection: string,
  ) {}

  submit<T>(operation: string, run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ operation, run, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    // The failure that ended the whole transaction, if one did: what every write of the batch is told.
    let fatal: unknown = null;
    let outcomes: Outcome[];
    try {
      outcomes = storeCall(this.collection, 'commit', () =>
        this.db
          .transaction(() =>
            batch.map((write): Outcome => {
              // Some failures (a full disk, an I/O error) end the whole transaction, not just the
              // savepoint: what follows must not run outside it, and the commit below then fails,
              // rejecting the batch (what looked done was rolled back with it).
              if (!this.db.inTransaction) return { ok: false, error: fatal };
              try {
                // A nested transaction function is a savepoint in better-sqlite3.
                return { ok: true, value: storeCall(this.collection, write.operation, this.db.transaction(write.run)) };
              } catch (error) {
                if (!this.db.inTransaction) fatal ??= error;
                return { ok: false, error };
              }
            }),
          )
          .immediate(),
      );
    } catch (error) {
      for (const write of batch) write.reject(fatal ?? error);
      return;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }
}
