/**
 * How many writes one process sends the server at once. FerretDB's SQLite backend admits one writer
 * at a time, and makes the others sleep and retry inside SQLite (its busy handler): with dozens of
 * writes in flight, some starve for seconds and fail after ten ("database is locked"). Queued here
 * instead, in order, each process keeps a few in flight and the server's writer is never idle.
 * MongoDB takes every write at once (no gate).
 */
export class WriteGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly permits: number | null) {}

  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.permits === null) return write();
    if (this.running >= this.permits) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await write();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
