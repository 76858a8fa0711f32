import type { Clock } from '../../shared/clock.js';

/** The reason a wake-up no longer needed is dropped with: one shared value, not a new AbortError each turn. */
const NOT_NEEDED = new Error('the wait ended first');

/**
 * Resolves after `ms` unless cancelled first (then it never resolves). A run's loop arms one per turn and
 * cancels it when something else ended the wait, so it uses the clock's plain timer where it has one, and
 * otherwise a sleep aborted with a shared reason: an AbortController aborted without one builds a
 * DOMException with its stack every time.
 */
export function wakeAfter(clock: Clock, ms: number): { woken: Promise<void>; cancel: () => void } {
  if (clock.timer) {
    let cancel: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => {
      cancel = clock.timer!(Math.max(0, ms), resolve);
    });
    return { woken, cancel };
  }
  const controller = new AbortController();
  const woken = clock.sleep(Math.max(0, ms), controller.signal).catch(() => undefined);
  return { woken, cancel: () => controller.abort(NOT_NEEDED) };
}
