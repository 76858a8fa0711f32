/**
 * Which writes go first when writes queue: finishing work already under way before starting more.
 * `finish`: what unblocks others (a change-log append every lock holder waits for, a lock let go);
 * `continue`: a write made under a held lock; `start`: taking a lock (new work).
 */
export type WritePriority = 'finish' | 'continue' | 'start';

const ORDER: WritePriority[] = ['finish', 'continue', 'start'];

/**
 * How many writes one process sends the server at once. FerretDB's SQLite backend admits one writer
 * at a time, and makes the others sleep and retry inside SQLite (its busy handler): with dozens of
 * writes in flight, some starve for seconds and fail after ten ("database is locked"). Queued here
 * instead, by priority and then in order, each process keeps a few in flight and the server's writer
 * is never idle, and work under way is not held up behind new work. MongoDB takes every write at once
 * (no gate).
 */
export class WriteGate {
  private running = 0;
  private readonly waiting: Record<WritePriority, (() => void)[]> = { finish: [], continue: [], start: [] };

  constructor(private readonly permits: number | null) {}

  async run<T>(write: () => Promise<T>, priority: WritePriority = 'continue'): Promise<T> {
    if (this.permits === null) return write();
    if (this.running >= this.permits) await new Promise<void>((resolve) => this.waiting[priority].push(resolve));
    else this.running++;
    try {
      return await write();
    } finally {
      const next = ORDER.map((level) => this.waiting[level])
        .find((queue) => queue.length > 0)
        ?.shift();
      if (next) next();
      else this.running--;
    }
  }
}
