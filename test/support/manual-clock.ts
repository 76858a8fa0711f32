import type { Clock } from '../../src/engine/shared/clock.js';

interface Timer {
  due: number;
  order: number;
  resolve: () => void;
  /** Housekeeping (lease renewal, change polling): fires like any timer, left out of pendingDelays. */
  background: boolean;
}

/** Lets pending promise chains and in-memory store calls run before time moves on. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told: `sleep` registers a timer and `advance` fires due
 * timers in order, letting the engine react between them. No test waits in real time.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private order = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = this.timer(ms, resolve);
      signal?.addEventListener(
        'abort',
        () => {
          cancel();
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  timer(ms: number, onFire: () => void, options?: { background?: boolean }): () => void {
    const timer: Timer = {
      due: this.current + Math.max(0, ms),
      order: this.order++,
      resolve: onFire,
      background: options?.background ?? false,
    };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Pending sleeps and timers of the work, not housekeeping (for assertions such as "the retry waits 400 ms"). */
  get pendingDelays(): number[] {
    return this.timers
      .filter((t) => !t.background)
      .map((t) => t.due - this.current)
      .sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.order - b.order)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.due;
      next.resolve();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Advances in steps until `done()` holds (or gives up after `limitMs` of virtual time). */
  async runUntil(done: () => boolean | Promise<boolean>, stepMs = 10, limitMs = 600_000): Promise<void> {
    for (let spent = 0; !(await done()); spent += stepMs) {
      if (spent > limitMs) throw new Error(`condition not reached within ${limitMs} virtual ms`);
      await this.advance(stepMs);
    }
  }
}
