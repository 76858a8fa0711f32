import { AsyncQueue } from './async-queue.js';
import type { Clock } from './clock.js';
import { SHORT_BACKOFF_MS } from './short-backoff.js';

/** What a numbered log offers a follower: stored entries by number, and the live ones as they are stored. */
export interface NumberedLog<T extends { seq: number }> {
  /** Stored entries with seq > after, oldest first, at most `limit`. */
  read(after: number, limit: number): Promise<T[]>;
  /** Calls `listener` with each entry stored from now on (in any order); returns unsubscribe. */
  subscribe(listener: (entry: T) => void): () => void;
}

const REPLAY_PAGE = 500;

/** The entries of `entries` (ascending) that follow `last` one by one, up to the first hole. */
export function gaplessAfter<T extends { seq: number }>(last: number, entries: T[]): T[] {
  const run: T[] = [];
  for (const entry of entries) {
    if (entry.seq !== last + 1 + run.length) break;
    run.push(entry);
  }
  return run;
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

  /**
   * Stored entries up to `upTo` (inclusive) not emitted yet, in order. Replaying to the end (`upTo`
   * unbounded), an empty page is the end of the log. A hole (a seq missing before one the log or a live
   * entry shows: its writer is between two writes, or was killed there) is read again for SHORT_BACKOFF_MS;
   * one still missing after that is logged and skipped rather than stall the follower for good.
   */
  const catchUp = async (upTo: number) => {
    const toTheEnd = upTo === Number.MAX_SAFE_INTEGER;
    let waits = 0;
    while (last < upTo && !queue.isEnded) {
      const page = await log.read(last, Math.min(REPLAY_PAGE, upTo - last));
      const fresh = page.filter((entry) => entry.seq > last);
      if (fresh.length === 0 && toTheEnd) return;
      const run = gaplessAfter(last, fresh);
      run.forEach(emit);
      if (run.length > 0 && run.length === fresh.length) {
        waits = 0;
        continue;
      }
      if (waits < SHORT_BACKOFF_MS.length) {
        await clock.sleep(SHORT_BACKOFF_MS[waits++]!);
        continue;
      }
      const rest = fresh.slice(run.length);
      onError(new Error(`entries ${last + 1}–${(rest[0]?.seq ?? upTo + 1) - 1} are missing from the log`));
      if (rest.length === 0) return;
      // Past this hole only: a later one is waited for in turn.
      emit(rest[0]!);
      waits = 0;
    }
  };

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
