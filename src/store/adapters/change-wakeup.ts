import type { ChangeStream, Db } from 'mongodb';

/** The change log is read at least this often even when the stream said nothing (a stream that missed an insert). */
const READ_AT_LEAST_EVERY_MS = 1_000;
/** A failed stream is opened again after this; meanwhile every poll reads the log. */
const REOPEN_AFTER_MS = 5_000;

/**
 * A change stream on the change log's inserts, used only as a wake-up: the feed reads the log by
 * position when something was appended, rather than at every poll. What is delivered never
 * depends on the stream (it is read from the log), so a stream that fails or lags costs latency
 * (at most a second), never a change. Needs a replica set; not run in CI (FerretDB has no change
 * streams): see docs/mongodb.md.
 */
export class ChangeWakeup {
  private stream: ChangeStream | null = null;
  private appended = true;
  private lastReadAt = 0;
  private brokenAt = 0;

  constructor(private readonly db: Db) {
    this.open();
  }

  private open(): void {
    const stream = this.db.collection('change_log').watch([{ $match: { operationType: 'insert' } }]);
    stream.on('change', () => {
      this.appended = true;
    });
    stream.on('error', () => {
      this.appended = true;
      this.brokenAt = Date.now();
      this.stream = null;
      void stream.close().catch(() => undefined);
    });
    this.stream = stream;
  }

  /** Whether the log should be read now; resets the wake-up. */
  due(): boolean {
    const now = Date.now();
    if (!this.stream && now - this.brokenAt > REOPEN_AFTER_MS) this.open();
    if (!this.appended && this.stream && now - this.lastReadAt < READ_AT_LEAST_EVERY_MS) return false;
    this.appended = false;
    this.lastReadAt = now;
    return true;
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    await stream?.close();
  }
}
