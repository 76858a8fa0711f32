/**
 * How one step attempt is cut short (timeout, cancel, shutdown). `aborted` rejects with the reason
 * at that moment, so the runner can abandon an attempt that ignores it. The AbortSignal is made
 * only when something reads it: most kinds (noop, validate, context steps) never do, and an
 * AbortController with its listeners was a measurable share of a short step.
 */
export class AttemptAbort {
  private controller: AbortController | null = null;
  private fired = false;
  private reason: unknown = undefined;
  private rejectAborted: (reason: unknown) => void = () => undefined;
  readonly aborted = new Promise<never>((_, reject) => {
    this.rejectAborted = reject;
  });

  constructor() {
    this.aborted.catch(() => undefined);
  }

  abort(reason: unknown): void {
    if (this.fired) return;
    this.fired = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.rejectAborted(reason);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.fired) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}
