import { AsyncQueue } from './async-queue.js';
import type { Clock } from './clock.js';
import { catchUpGapless } from './gapless-catch-up.js';

/** What a numbered log offers a follower: stored entries by number, and the live ones as they are stored. */
export interface NumberedLog<T extends { seq: number }> {
  /** Stored entries with seq > after, oldest first, at most `limit`. */
  read(after: number, limit: number): Promise<T[]>;
  /** Calls `listener` with each entry stored from now on (in any order); returns unsubscribe. */
  subscribe(listener: (entry: T) => void): () => void;
}

/**
 * A log's entries after `after`: stored ones first, then live ones, with no gap and no duplicate,
 * until the follower leaves. Live entries are held back while the replay runs and filtered by seq;
 * a gap in the live stream (an entry another process stored, not heard of yet) is filled from the
 * store. The shape of handoffProgress, for logs that never end.
 */
export function followGapless<T extends { seq: number }>(
  log: NumberedLog<T>,
  after: number,
  clock: Clock,
  onError: (error: unknown) => void,
): AsyncIterableIterator<T> {
  let last = after;
  let replaying = true;
  const heldBack: T[] = [];
  let delivery = Promise.resolve();

  const unsubscribe = log.subscribe((entry) => {
    if (replaying) heldBack.push(entry);
    else deliverInOrder(entry);
  });
  const queue = new AsyncQueue<T>(unsubscribe);

  // Order is catchUp's job: an entry after a hole reaches here only once the hole was waited for.
  const emit = (entry: T) => {
    if (entry.seq <= last || queue.isEnded) return;
    last = entry.seq;
    queue.push(entry);
  };

  const catchUp = (upTo: number) =>
    catchUpGapless(
      {
        read: (from, limit) => log.read(from, limit),
        last: () => last,
        emit,
        isEnded: () => queue.isEnded,
        clock,
        onMissing: (from, to) => onError(new Error(`entries ${from}–${to} are missing from the log`)),
      },
      upTo,
    );

  const fail = (error: unknown) => {
    onError(error);
    queue.end();
  };

  const deliverInOrder = (entry: T) => {
    delivery = delivery
      .then(async () => {
        if (entry.seq > last + 1) await catchUp(entry.seq - 1);
        emit(entry);
      })
      .catch(fail);
  };

  void (async () => {
    await catchUp(Number.MAX_SAFE_INTEGER);
    replaying = false;
    heldBack.splice(0).forEach(deliverInOrder);
  })().catch(fail);

  return queue;
}
