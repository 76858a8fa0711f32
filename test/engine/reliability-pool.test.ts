import { describe, expect, it } from 'vitest';
import { runIterations, type Schedule } from '../../src/engine/reliability/iteration-pool.js';
import type { Clock } from '../../src/engine/shared/clock.js';

/** Virtual time: a sleep moves the clock forward at once (only the pool's loop sleeps here). */
function virtualClock(): Clock & { t: number } {
  return {
    t: 0,
    now() {
      return this.t;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      this.t += ms;
    },
  };
}

/** Iterations that finish only when the test says so. */
function controlled() {
  const started: number[] = [];
  const finishers = new Map<number, () => void>();
  let inFlight = 0;
  let peak = 0;
  return {
    started,
    get inFlight() {
      return inFlight;
    },
    get peak() {
      return peak;
    },
    run: (index: number) =>
      new Promise<void>((resolve) => {
        started.push(index);
        inFlight++;
        peak = Math.max(peak, inFlight);
        finishers.set(index, () => {
          inFlight--;
          resolve();
        });
      }),
    finish(index: number) {
      finishers.get(index)!();
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function pool(
  schedule: Schedule,
  total: number,
  limit: number,
  run: (i: number) => Promise<void>,
  extra: { clock?: Clock; signal?: AbortSignal; onError?: (e: unknown, i: number) => void } = {},
) {
  return runIterations({
    total,
    limit,
    schedule,
    clock: extra.clock ?? virtualClock(),
    signal: extra.signal ?? new AbortController().signal,
    run,
    onError:
      extra.onError ??
      ((error) => {
        throw error;
      }),
  });
}

describe('runIterations', () => {
  it('pool: keeps at most `limit` in flight and starts the next as soon as one finishes', async () => {
    const work = controlled();
    const done = pool({ kind: 'pool' }, 5, 2, work.run);
    await tick();
    expect(work.started).toEqual([0, 1]);
    work.finish(1);
    await tick();
    expect(work.started).toEqual([0, 1, 2]);
    for (const i of [0, 2]) work.finish(i);
    await tick();
    for (const i of [3, 4]) work.finish(i);
    expect(await done).toBe(5);
    expect(work.peak).toBe(2);
  });

  it('waves: releases the full limit at once and waits for the whole wave', async () => {
    const work = controlled();
    const done = pool({ kind: 'waves' }, 5, 3, work.run);
    await tick();
    expect(work.started).toEqual([0, 1, 2]);
    work.finish(0);
    work.finish(1);
    await tick();
    expect(work.started).toEqual([0, 1, 2]); // one of the wave still runs
    work.finish(2);
    await tick();
    expect(work.started).toEqual([0, 1, 2, 3, 4]);
    work.finish(3);
    work.finish(4);
    expect(await done).toBe(5);
  });

  it('rate: starts on a fixed timetable', async () => {
    const clock = virtualClock();
    const startedAt: number[] = [];
    await pool({ kind: 'rate', intervalMs: 250 }, 4, 10, async () => void startedAt.push(clock.now()), { clock });
    expect(startedAt).toEqual([0, 250, 500, 750]);
  });

  it('rate: still never exceeds the limit when iterations are slower than the rate', async () => {
    const work = controlled();
    const done = pool({ kind: 'rate', intervalMs: 10 }, 4, 2, work.run);
    await tick();
    expect(work.started).toEqual([0, 1]);
    work.finish(0);
    await tick();
    expect(work.started).toEqual([0, 1, 2]);
    for (const i of [1, 2]) work.finish(i);
    await tick();
    work.finish(3);
    expect(await done).toBe(4);
    expect(work.peak).toBe(2);
  });

  it('abort: starts nothing new and resolves once the running iterations ended', async () => {
    const work = controlled();
    const abort = new AbortController();
    let settled = false;
    const done = pool({ kind: 'pool' }, 10, 2, work.run, { signal: abort.signal }).then((n) => {
      settled = true;
      return n;
    });
    await tick();
    abort.abort();
    work.finish(0);
    await tick();
    expect(work.started).toEqual([0, 1]);
    expect(settled).toBe(false);
    work.finish(1);
    expect(await done).toBe(2);
  });

  it('hands a failing iteration to onError and carries on', async () => {
    const failures: number[] = [];
    const ran: number[] = [];
    const started = await pool(
      { kind: 'pool' },
      3,
      1,
      async (i) => {
        ran.push(i);
        if (i === 1) throw new Error('boom');
      },
      { onError: (_error, i) => failures.push(i) },
    );
    expect(started).toBe(3);
    expect(ran).toEqual([0, 1, 2]);
    expect(failures).toEqual([1]);
  });
});
