/**
 * A wake-up for a run's loop while it waits for its attempts: a signal, a cancel or a pause request that
 * arrives meanwhile may let another step go on now, without waiting for the attempts under way to end.
 */
export class Nudge {
  private wake: (() => void) | null = null;
  private pending = false;

  /** Resolves at the next nudge (at once if one came since the last wait). */
  next(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }

  nudge(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }
}
