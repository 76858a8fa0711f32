import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/engine/shared/clock.js';
import { followGapless, type NumberedLog } from '../../src/engine/shared/gapless-follow.js';

/**
 * followGapless (agent feeds) over a log that lags: on MongoDB an entry another process stores can be
 * read before one it stored just earlier. The follower must wait for the missing one, not stall until
 * the next live entry, and skip it (logged) only when it never comes.
 */

interface Entry {
  seq: number;
}

/** A log holding `logged` entries, whose live listener the test calls by hand. */
function laggingLog(logged: number[]) {
  let stored = logged.map((seq) => ({ seq }));
  let listener: (entry: Entry) => void = () => {};
  const log: NumberedLog<Entry> = {
    async read(after, limit) {
      return stored.filter((entry) => entry.seq > after).slice(0, limit);
    },
    subscribe(onEntry) {
      listener = onEntry;
      return () => {};
    },
  };
  return {
    log,
    store: (seq: number) => {
      stored = [...stored, { seq }].sort((a, b) => a.seq - b.seq);
    },
    publish: (seq: number) => listener({ seq }),
  };
}

/** A clock whose sleeps resolve at once, calling `onSleep` with each wait first. */
function clockThat(onSleep: (ms: number, count: number) => void): Clock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => 0,
    sleep: async (ms) => {
      waits.push(ms);
      onSleep(ms, waits.length);
    },
  };
}

async function take(iterator: AsyncIterableIterator<Entry>, count: number): Promise<number[]> {
  const seqs: number[] = [];
  while (seqs.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    seqs.push(next.value.seq);
  }
  return seqs;
}

describe('followGapless over a log that lags', () => {
  it('waits for an entry missing before a live one, then delivers both in order', async () => {
    const { log, store, publish } = laggingLog([1, 2]);
    // The late writer's entry 3 is stored during the second wait.
    const clock = clockThat((_ms, count) => count === 2 && store(3));
    const errors: unknown[] = [];
    const follower = followGapless(log, 0, clock, (error) => errors.push(error));
    expect(await take(follower, 2)).toEqual([1, 2]);
    store(4);
    publish(4);
    expect(await take(follower, 2)).toEqual([3, 4]);
    await follower.return?.();
    expect(clock.waits).toEqual([50, 100]);
    expect(errors).toEqual([]);
  });

  it('waits for a hole inside a replayed page instead of stopping at it', async () => {
    const { log, store } = laggingLog([1, 3, 4]);
    const clock = clockThat((_ms, count) => count === 1 && store(2));
    const errors: unknown[] = [];
    expect(
      await take(
        followGapless(log, 0, clock, (error) => errors.push(error)),
        4,
      ),
    ).toEqual([1, 2, 3, 4]);
    expect(clock.waits).toEqual([50]);
    expect(errors).toEqual([]);
  });

  it('skips an entry that never comes after about 3 s of waiting, and says so', async () => {
    const { log } = laggingLog([1, 3, 4]);
    const clock = clockThat(() => {});
    const errors: Error[] = [];
    expect(
      await take(
        followGapless(log, 0, clock, (error) => errors.push(error as Error)),
        3,
      ),
    ).toEqual([1, 3, 4]);
    expect(clock.waits).toEqual([50, 100, 200, 400, 800, 1_600]);
    expect(errors.map((error) => error.message)).toEqual(['entries 2–2 are missing from the log']);
  });
});
