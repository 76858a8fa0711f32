import type { Clock } from '../../shared/clock.js';
import type { OutOfBandRequests } from '../ports/handoff-store.js';

/**
 * Where a waiting step looks for signals another process may have recorded (a fallback to the
 * change feed, every `everyMs`), and where it reports a cancel found there.
 */
export interface SignalPolling {
  clock: Clock;
  everyMs: number;
  read(): Promise<OutOfBandRequests | null>;
  onCancel(reason: string): void;
}

/**
 * The signals recorded for one running handoff, by step id. Step ids are user text, so they are
 * keys of a Map, never of a plain object: a step named `toString` or `constructor` has no signal
 * until one is recorded for it (`in` on an object would find the inherited method and let it pass).
 */
export class SignalBox {
  private readonly received = new Map<string, unknown>();
  private waiter: { step: string; deliver: (payload: unknown) => void } | null = null;

  /** `counts`: whether a recorded payload may answer a wait (a step signal of an earlier run may not). */
  constructor(
    recorded: Record<string, unknown> = {},
    private readonly counts: (payload: unknown) => boolean = () => true,
  ) {
    this.recordAll(recorded);
  }

  /** Records one signal; wakes the step waiting for it. */
  record(step: string, payload: unknown): void {
    if (!this.counts(payload)) return;
    this.received.set(step, payload);
    if (this.waiter?.step === step) this.waiter.deliver(payload);
  }

  /** The payload of `step`'s signal, if one was recorded. */
  get(step: string): unknown {
    return this.received.get(step);
  }

  /** Records the signals a store read returned (their own properties only). */
  recordAll(recorded: Record<string, unknown>): void {
    for (const [step, payload] of Object.entries(recorded)) this.record(step, payload);
  }

  /**
   * The payload of `step`'s signal: at once when recorded, else when it arrives (from this process,
   * or, with `polling`, read from the store). Rejects with the attempt's reason when it aborts first.
   */
  wait(step: string, attempt: AbortSignal, polling: SignalPolling | null): Promise<unknown> {
    if (this.received.has(step)) return Promise.resolve(this.received.get(step));
    return new Promise((resolve, reject) => {
      const stopPolling = new AbortController();
      const settle = () => {
        this.waiter = null;
        stopPolling.abort();
        attempt.removeEventListener('abort', giveUp);
      };
      const giveUp = () => {
        settle();
        reject(attempt.reason);
      };
      if (attempt.aborted) return giveUp();
      this.waiter = {
        step,
        deliver: (payload) => {
          settle();
          resolve(payload);
        },
      };
      attempt.addEventListener('abort', giveUp, { once: true });
      if (polling) void this.poll(polling, stopPolling.signal);
    });
  }

  private async poll(polling: SignalPolling, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      try {
        await polling.clock.sleep(polling.everyMs, stop);
      } catch {
        return;
      }
      const requests = await polling.read().catch(() => null);
      if (stop.aborted || !requests) continue;
      this.recordAll(requests.signals);
      if (requests.cancelRequest && !stop.aborted) polling.onCancel(requests.cancelRequest.reason);
    }
  }
}
