import type { Clock } from './clock.js';
import { SHORT_BACKOFF_MS } from './short-backoff.js';

const REPLAY_PAGE = 500;

/** A follower of a numbered log, as catchUpGapless reads it for and hands it entries. */
export interface GaplessReader<T extends { seq: number }> {
  /** Stored entries with seq > after, oldest first, at most `limit`. */
  read(after: number, limit: number): Promise<T[]>;
  /** The seq of the last entry emitted. */
  last(): number;
  /** Hands on an entry with a seq above last(); it becomes last(). */
  emit(entry: T): void;
  /** The follower left: read no more. */
  isEnded(): boolean;
  clock: Clock;
  /** Tried once when the waits for a hole are over, before it is given up (a handoff's log repair). */
  repair?: () => Promise<void>;
  /** Seqs `from` to `to` were given up on: still missing after the waits (and the repair). */
  onMissing(from: number, to: number): void;
}

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
 * Stored entries up to `upTo` (inclusive) not emitted yet, in order without a gap. Replaying to the end
 * (`upTo` unbounded), an empty page is the end of the log. A hole (a seq missing before one the log or a
 * live entry shows) is read again for SHORT_BACKOFF_MS: on a store without transactions (MongoDB) an entry
 * can be read before one written just earlier, while its writer is between two writes or was killed there
 * and its lock not yet taken over. Then the reader's repair, if it has one; an entry still missing after
 * that is reported and skipped rather than stall the follower for good, and the next hole is waited for anew.
 */
export async function catchUpGapless<T extends { seq: number }>(reader: GaplessReader<T>, upTo: number): Promise<void> {
  const toTheEnd = upTo === Number.MAX_SAFE_INTEGER;
  let waits = 0;
  while (reader.last() < upTo && !reader.isEnded()) {
    const last = reader.last();
    const page = await reader.read(last, Math.min(REPLAY_PAGE, upTo - last));
    const fresh = page.filter((entry) => entry.seq > last);
    if (fresh.length === 0 && toTheEnd) return;
    const run = gaplessAfter(last, fresh);
    for (const entry of run) reader.emit(entry);
    if (run.length > 0 && run.length === fresh.length) {
      waits = 0;
      continue;
    }
    if (waits < SHORT_BACKOFF_MS.length) {
      await reader.clock.sleep(SHORT_BACKOFF_MS[waits++]!);
      continue;
    }
    if (reader.repair && waits++ === SHORT_BACKOFF_MS.length) {
      await reader.repair();
      continue;
    }
    const next = fresh[run.length];
    reader.onMissing(reader.last() + 1, (next?.seq ?? upTo + 1) - 1);
    if (!next) return;
    // Past this hole only: a later one in the same page is waited for (and reported) in turn.
    reader.emit(next);
    waits = 0;
  }
}
