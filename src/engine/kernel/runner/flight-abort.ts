/**
 * What cuts an attempt short from outside (a cancel, a shutdown, the run stopping the step): an
 * AbortSignal, or a FlightAbort. Only these members are read.
 */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The abort a flight makes for each attempt: an AbortController with its signal (an EventTarget) was
 * a measurable share of a short step, and an attempt only ever has one listener, runAction's, on it.
 * As an AbortSignal: a listener added after the abort is not called, and an abort without a reason
 * has an AbortError as its reason.
 */
export class FlightAbort implements AbortSource {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] = [];

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners.indexOf(listener);
    if (index >= 0) this.listeners.splice(index, 1);
  }
}
