import type { FeedPosition } from './feed-position.js';

/**
 * Which feed entries are fully handled, and the position that follows from it: the highest seq
 * with every entry up to it handled. Entries are handled out of order (a long task does not hold
 * back a delivery after it), so a restart may see an entry again that was handled after a slower
 * one; the server's stored state (a task already claimed, a delivery already acknowledged) makes
 * seeing it again harmless.
 */
export class HandledEntries {
  private readonly open = new Map<number, string>();
  private readonly finished = new Map<number, string>();

  constructor(private position: FeedPosition) {}

  get current(): FeedPosition {
    return this.position;
  }

  begin(seq: number, at: string): void {
    this.open.set(seq, at);
  }

  /** Marks `seq` handled; returns the new position when it moved. */
  finish(seq: number): FeedPosition | null {
    const at = this.open.get(seq);
    if (at === undefined) return null;
    this.open.delete(seq);
    this.finished.set(seq, at);
    const before = this.position.seq;
    for (let next = this.position.seq + 1; this.finished.has(next); next++) {
      this.position = { seq: next, at: this.finished.get(next)! };
      this.finished.delete(next);
    }
    return this.position.seq === before ? null : this.position;
  }
}
