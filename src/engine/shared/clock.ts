/** Time, injected so engine tests control it instead of sleeping. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `onFire` after `ms` unless the returned cancel runs first: a cheaper timeout than
   * `sleep` with an AbortSignal where one fires per step attempt. Optional; `sleep` serves otherwise.
   * `background`: housekeeping that must not keep the process alive on its own.
   */
  timer?(ms: number, onFire: () => void, options?: { background?: boolean }): () => void;
}

/** The longest delay setTimeout honours: anything longer (or not a number) fires after 1 ms, with a warning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout for any delay: one longer than MAX_TIMER_MS is waited out in legs of at most that
 * long. Returns the cancel. `background`: the timer does not keep the process alive.
 */
function longTimeout(ms: number, onFire: () => void, background = false): () => void {
  const due = Date.now() + ms;
  let handle: NodeJS.Timeout;
  const arm = (wait: number) => {
    handle = setTimeout(() => {
      const left = due - Date.now();
      if (left > 0 && wait === MAX_TIMER_MS) arm(Math.min(left, MAX_TIMER_MS));
      else onFire();
    }, wait);
    if (background) handle.unref();
  };
  arm(Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  return () => clearTimeout(handle);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  timer: (ms, onFire, options) => longTimeout(ms, onFire, options?.background),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = longTimeout(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Reason used to cancel a sleep-based timeout: a constant, so settling costs no new Error. */
const TIMEOUT_CANCELLED = Object.freeze(new Error('timeout cancelled'));

/** Arms a timeout with the clock's timer, or a cancellable sleep when it has none; returns its cancel. */
export function startTimeout(
  clock: Clock,
  ms: number,
  onTimeout: () => void,
  options?: { background?: boolean },
): () => void {
  if (clock.timer) return clock.timer(ms, onTimeout, options);
  const cancelled = new AbortController();
  clock.sleep(ms, cancelled.signal).then(onTimeout, () => undefined);
  return () => cancelled.abort(TIMEOUT_CANCELLED);
}

/**
 * Runs `task` every `ms` on the clock, the next run armed only once the last one settled (a slow
 * store never stacks runs up). Background work: it does not keep the process alive. Returns stop.
 */
export function repeatEvery(clock: Clock, ms: number, task: () => Promise<void>): () => void {
  let stopped = false;
  let cancel = (): void => undefined;
  const arm = () => {
    if (stopped) return;
    cancel = startTimeout(clock, ms, () => void task().finally(arm), { background: true });
  };
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}
