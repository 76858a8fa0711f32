import type { Clock } from '../shared/clock.js';

/**
 * How iterations are released:
 * - `pool`: keep `limit` in flight, start the next as soon as one finishes;
 * - `waves`: release `limit` at the same instant, wait for the whole wave, repeat (burst contention);
 * - `rate`: start one every `intervalMs` on a fixed timetable (no drift from slow starts),
 *   never more than `limit` in flight — when the pool is full the timetable slips, and the
 *   latency windows show it.
 */
export type Schedule = { kind: 'pool' } | { kind: 'waves' } | { kind: 'rate'; intervalMs: number };

export interface PoolOptions {
  total: number;
  limit: number;
  schedule: Schedule;
  clock: Clock;
  /** Once aborted, nothing new starts; iterations in flight are awaited. */
  signal: AbortSignal;
  /** Runs iteration `index` (0-based). A rejection is handed to onError, never lost. */
  run(index: number): Promise<void>;
  onError(error: unknown, index: number): void;
}

/** Runs up to `total` iterations under the schedule; resolves with how many started once all of them ended. */
export async function runIterations(options: PoolOptions): Promise<number> {
  const { total, schedule, clock, signal } = options;
  const limit = Math.max(1, options.limit);
  const inFlight = new Set<Promise<void>>();
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  let started = 0;
  const launch = () => {
    const index = started++;
    const running: Promise<void> = options
      .run(index)
      .catch((error: unknown) => options.onError(error, index))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };
  const origin = clock.now();

  while (started < total && !signal.aborted) {
    if (schedule.kind === 'waves') {
      const size = Math.min(limit, total - started);
      for (let i = 0; i < size; i++) launch();
      await Promise.all(inFlight);
      continue;
    }
    if (inFlight.size >= limit) {
      await Promise.race([...inFlight, aborted]);
      continue;
    }
    if (schedule.kind === 'rate') {
      const wait = origin + started * schedule.intervalMs - clock.now();
      if (wait > 0) {
        try {
          await clock.sleep(wait, signal);
        } catch {
          break; // aborted while waiting for the next slot
        }
      }
    }
    launch();
  }
  await Promise.all(inFlight);
  return started;
}
