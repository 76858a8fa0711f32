import { type Clock, startTimeout } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';

/**
 * Deadlines of handoffs waiting in this process's queue behind others. A running handoff's deadline is
 * its runner's (HandoffRunner.watchDeadline); one still waiting for its turn when its deadline passes
 * is cancelled then, not when its turn comes. Timers are armed only for handoffs that did not start at
 * once, so there are at most as many as handoffs were queued behind others; a timer that finds its
 * handoff started (or finished) does nothing. (After a restart, queued handoffs' deadlines are checked
 * when they start: their deadline is stored with them.)
 */
export class QueuedDeadlines {
  private readonly timers = new Map<string, () => void>();

  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      /** True while the handoff waits in the queue (not started). */
      isWaiting(id: string): boolean;
      /** Cancels a waiting handoff whose deadline passed. */
      expire(id: string, deadlineAt: number): Promise<unknown>;
    },
  ) {}

  /** Arms the deadline of a handoff just queued, unless it started at once (or one is armed already). */
  watch(id: string, deadlineAt: number | null | undefined): void {
    if (deadlineAt == null || this.timers.has(id) || !this.deps.isWaiting(id)) return;
    const cancel = startTimeout(
      this.deps.clock,
      Math.max(0, deadlineAt - this.deps.clock.now()),
      () => {
        this.timers.delete(id);
        if (!this.deps.isWaiting(id)) return;
        this.deps
          .expire(id, deadlineAt)
          .catch((error) =>
            this.deps.logger.warn({ handoffId: id, err: error }, 'could not cancel a queued handoff past its deadline'),
          );
      },
      { background: true },
    );
    this.timers.set(id, cancel);
  }

  /** Drops every timer (shutdown). */
  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}
